import cliProgress from 'cli-progress';

export interface Progress {
  /** `done` of `total` (units: events or positions), `applied` events since the start for the rate. */
  update(done: number, total: number, applied: number): void;
  stop(): void;
  /** Events per second since the start. */
  rate(applied: number): number;
}

/**
 * A progress bar with events/s and ETA on stderr when it is a terminal; nothing
 * otherwise (logs and pipes get the summary line each command prints).
 */
export function progressBar(label: string, stream: NodeJS.WriteStream = process.stderr): Progress {
  const started = performance.now();
  const rate = (applied: number) => Math.round(applied / Math.max((performance.now() - started) / 1000, 0.001));
  if (!stream.isTTY) return { update: () => undefined, stop: () => undefined, rate };
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} {bar} {percentage}% | {value}/{total} | {speed} events/s | ETA {eta_formatted}`,
      stream,
      etaBuffer: 50,
      hideCursor: true,
    },
    cliProgress.Presets.shades_classic,
  );
  let startedBar = false;
  return {
    rate,
    update(done, total, applied) {
      if (!startedBar) {
        bar.start(total, done, { speed: 0 });
        startedBar = true;
      }
      bar.setTotal(total);
      bar.update(done, { speed: rate(applied) });
    },
    stop: () => bar.stop(),
  };
}
