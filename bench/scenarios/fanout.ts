import { join } from 'node:path';
import type { handlers as PosterHandlers, PostTarget } from '../load/poster.js';
import type { SocketSpec } from '../load/sockets.js';
import { seedChat } from '../lib/fixtures.js';
import { cpuSeconds, rssBytes } from '../lib/procStats.js';
import { startBaseline, startThreadline, waitProjected, type ServerUnderTest } from '../lib/processes.js';
import { forkLoadProcess } from '../lib/rpc.js';
import { latencyCells, ratioRow, sleep, useCells, withTempDir, type RunContext, type ScenarioResult, type TargetCheck } from '../lib/scenario.js';
import { SocketFleet } from '../lib/socketFleet.js';
import { summarize } from '../lib/stats.js';
import type { Row } from '../lib/table.js';

export interface FanoutOptions {
  /** Member sockets, spread evenly over the threads (one user per socket). */
  sockets: number;
  threads: number;
  /** Posts per second, one measured run each. */
  rates: number[];
  /** Seconds each server is measured at each rate, in all. */
  durationS: number;
  /**
   * The servers take turns in segments this long (seconds), in a rotating order, until each has had
   * `durationS` at the rate: every server meets the same stretches of the host. `durationS` or more:
   * one turn each.
   */
  segmentS: number;
  /** Posting to each server before the runs, at the middle of `rates`: our server's JIT needs a few seconds. */
  warmupS: number;
  /** Quiet after each turn, so that a server's trailing work (projections, checkpoints) stays out of the next turn. */
  settleMs: number;
  /** Socket load processes per server (each holds at most 9,000). */
  processes: number;
  /** Concurrent HTTP connections of the poster. */
  connections: number;
  /** How long to wait for the last frames after the last post was answered. */
  graceMs: number;
  /** Rates also run against the durable baseline (a reference, not a target; [] for none). */
  durableBaselineRates: number[];
}

export const FANOUT_DEFAULTS: FanoutOptions = {
  sockets: 1000,
  threads: 100,
  rates: [100, 500, 2000],
  durationS: 5,
  segmentS: 1,
  warmupS: 2,
  settleMs: 200,
  processes: 1,
  connections: 64,
  graceMs: 5000,
  // A reference, not a target: with it (`--durable-baseline-rates 500`, about 15 s more) the scenario runs past a minute.
  durableBaselineRates: [],
};

const POSTER_SCRIPT = new URL('../load/poster.ts', import.meta.url);

type Posted = Awaited<ReturnType<typeof PosterHandlers.post>>;
type Frames = Awaited<ReturnType<SocketFleet['collect']>>;

/** A server under test with its own member sockets, and what its turns at one rate added up to. */
interface Contender {
  label: string;
  server: ServerUnderTest;
  fleet: SocketFleet;
  failedSockets: number;
  rates: number[];
}

/**
 * Fan-out latency: posts over REST at a fixed rate, spread over the threads;
 * latency is from the POST being sent to the `chat_message` frame arriving on
 * each member socket, and every frame is accounted for. Ours, the bare baseline
 * and (for reference) the bare baseline with a durable append before each
 * broadcast all run at once, each with its own sockets, and take turns under
 * the same load in short segments, so that a slow stretch of the host falls on
 * all of them alike; the ratio rows compare them.
 */
export async function runFanout(options: FanoutOptions, context: RunContext): Promise<ScenarioResult> {
  const membersPerThread = Math.max(1, Math.round(options.sockets / options.threads));
  const notes: string[] = [];
  return withTempDir('threadline-bench-fanout-', async (dataDir) => {
    context.log(`fanout: seeding ${options.threads * membersPerThread} users in ${options.threads} threads`);
    const fixture = await seedChat(dataDir, { users: options.threads * membersPerThread, threads: options.threads, membersPerThread });
    const sockets: SocketSpec[] = fixture.threads.flatMap((thread, threadIndex) =>
      thread.members.map((member) => ({ thread: thread.id, threadIndex, token: fixture.users[member]!.token })),
    );
    const targets: PostTarget[] = fixture.threads.map((thread) => ({ thread: thread.id, tokens: thread.members.map((m) => fixture.users[m]!.token) }));
    const durableRates = options.rates.filter((rate) => options.durableBaselineRates.includes(rate));

    const servers: ServerUnderTest[] = [];
    const contenders: Contender[] = [];
    const poster = forkLoadProcess<typeof PosterHandlers>(POSTER_SCRIPT);
    try {
      const enter = async (label: string, server: ServerUnderTest, rates: number[]) => {
        context.log(`fanout: ${label}: opening ${sockets.length} sockets`);
        const opened = await SocketFleet.open(server.url, sockets, { processes: options.processes, concurrency: 100 });
        contenders.push({ label, server, fleet: opened.fleet, failedSockets: opened.failed, rates });
        if (opened.failed > 0) notes.push(`${label}: ${opened.failed} sockets failed to open: ${opened.failures.join('; ')}`);
      };
      const ours = await startThreadline({ dataDir, mode: context.mode, cpuProfileDir: context.cpuProfileDir, jwtSecret: fixture.jwtSecret });
      servers.push(ours);
      await waitProjected(ours.url);
      await enter('threadline', ours, options.rates);
      const bare = await startBaseline('fanout');
      servers.push(bare);
      await enter('bare ws baseline', bare, options.rates);
      if (durableRates.length > 0) {
        // Not a target: how much of the gap to the bare baseline is the fsync every post waits for before delivery.
        const durable = await startBaseline('fanout', { BASELINE_DB: join(dataDir, 'fanout-baseline.db') });
        servers.push(durable);
        await enter('durable ws baseline', durable, durableRates);
      }

      const turn = (contender: Contender, runId: string, rate: number, durationS: number) =>
        poster.call('post', {
          url: contender.server.url,
          runId,
          rate,
          durationMs: durationS * 1000,
          threads: targets,
          connections: options.connections,
          maxInFlight: 5000,
        });
      if (options.warmupS > 0) {
        const sorted = [...options.rates].sort((a, b) => a - b);
        const warmupRate = sorted[Math.floor((sorted.length - 1) / 2)]!;
        for (const contender of contenders) {
          await contender.fleet.startRun('warmup');
          const warm = await turn(contender, 'warmup', warmupRate, options.warmupS);
          await contender.fleet.collect(warm.okMasks, options.graceMs);
        }
      }

      const rows: Row[] = [];
      for (const rate of options.rates) {
        const running = contenders.filter((contender) => contender.rates.includes(rate));
        const segments = Math.max(1, Math.round(options.durationS / Math.min(options.segmentS, options.durationS)));
        const segmentS = options.durationS / segments;
        context.log(`fanout: ${rate} posts/s, ${running.map((c) => c.label).join(', ')} in turns of ${segmentS.toFixed(2)} s, ${options.durationS} s each`);
        const totals = new Map(running.map((contender) => [contender, new Totals()]));
        for (let segment = 0; segment < segments; segment++) {
          // Rotate who goes first, so that no server always follows the same one.
          for (let k = 0; k < running.length; k++) {
            const contender = running[(segment + k) % running.length]!;
            const runId = `r${rate}s${segment}`;
            await contender.fleet.startRun(runId);
            const cpuBefore = cpuSeconds(contender.server.pid);
            const started = performance.now();
            const posted = await turn(contender, runId, rate, segmentS);
            const frames = await contender.fleet.collect(posted.okMasks, options.graceMs);
            totals.get(contender)!.add(posted, frames, (performance.now() - started) / 1000, cpuSeconds(contender.server.pid) - cpuBefore);
            await sleep(options.settleMs);
          }
        }
        for (const contender of running) rows.push(totals.get(contender)!.row(contender, rate, notes));
      }
      for (const contender of contenders) await contender.fleet.closeAll();
      return {
        title: `Fan-out: ${sockets.length} sockets over ${options.threads} threads (${membersPerThread} recipients per post)`,
        rows: withRatios(rows),
        notes,
        checks: fanoutChecks(
          rows.filter((row) => row.target === 'threadline'),
          rows.filter((row) => row.target === 'bare ws baseline'),
          membersPerThread,
        ),
      };
    } finally {
      await poster.stop();
      for (const contender of contenders) await contender.fleet.stop();
      for (const server of servers) await server.stop();
    }
  });
}

/** Ours, then the baselines at the same rate each followed by its ratio row. */
function withRatios(rows: Row[]): Row[] {
  const ratioColumns = ['p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'frames/s', 'POST p50 ms', 'POST p99 ms', 'server RSS MiB', 'server CPU %'];
  const keep = ['posts/s asked'];
  const out: Row[] = [];
  for (const ours of rows.filter((row) => row.target === 'threadline')) {
    const at = (label: string) => rows.find((row) => row.target === label && row['posts/s asked'] === ours['posts/s asked']);
    out.push(ours);
    for (const [label, ratio] of [
      ['bare ws baseline', 'ours / baseline'],
      ['durable ws baseline', 'ours / durable baseline'],
    ] as const) {
      const baseline = at(label);
      if (baseline) out.push(baseline, ratioRow(ratio, ours, baseline, ratioColumns, keep));
    }
  }
  return out;
}

/** One server's turns at one rate, added up into its table row. */
class Totals {
  private readonly posted: Posted[] = [];
  private readonly frames: Frames[] = [];
  private windowS = 0;
  private cpuS = 0;

  add(posted: Posted, frames: Frames, windowS: number, cpuS: number): void {
    this.posted.push(posted);
    this.frames.push(frames);
    this.windowS += windowS;
    this.cpuS += cpuS;
  }

  row(contender: Contender, rate: number, notes: string[]): Row {
    const sum = <T>(items: T[], value: (item: T) => number) => items.reduce((total, item) => total + value(item), 0);
    const ok = sum(this.posted, (p) => p.ok);
    const failed = sum(this.posted, (p) => p.failed);
    const sendingS = sum(this.posted, (p) => p.sendingMs) / 1000;
    const frames = sum(this.frames, (f) => f.frames);
    const lost = sum(this.frames, (f) => f.lost);
    const duplicates = sum(this.frames, (f) => f.duplicates);
    // Sockets stay closed once closed: the last turn's count is the run's.
    const closed = this.frames.at(-1)?.closed ?? 0;
    const errors =
      lost + duplicates + sum(this.frames, (f) => f.unexpected + f.misrouted) + closed + failed +
      sum(this.posted, (p) => p.dropped + p.unanswered) + contender.failedSockets;
    const statuses: Record<string, number> = {};
    for (const posted of this.posted) for (const [status, count] of Object.entries(posted.statuses)) statuses[status] = (statuses[status] ?? 0) + count;
    if (failed > 0) notes.push(`${contender.label} at ${rate}/s: post errors ${JSON.stringify(statuses)}`);
    const closeReasons = this.frames.at(-1)?.closeReasons ?? [];
    if (closed > 0) notes.push(`${contender.label} at ${rate}/s: sockets closed by the server: ${closeReasons.join('; ')}`);
    const postLatency = summarize(...this.posted.map((p) => p.httpLatencies));
    return {
      target: contender.label,
      'posts/s asked': rate,
      'posts/s sent': (ok + failed) / sendingS,
      'posts ok': ok,
      frames,
      lost,
      dup: duplicates,
      errors,
      ...latencyCells(summarize(...this.frames.flatMap((f) => f.latencies))),
      'frames/s': frames / this.windowS,
      'POST p50 ms': postLatency.p50,
      'POST p99 ms': postLatency.p99,
      ...useCells({ rssBytes: rssBytes(contender.server.pid), peakRssBytes: NaN, cpuPercent: (this.cpuS / this.windowS) * 100 }),
    };
  }
}

function fanoutChecks(ours: Row[], baseline: Row[], recipients: number): TargetCheck[] {
  const at = (rows: Row[], rate: number) => rows.find((row) => row['posts/s asked'] === rate);
  const checks: TargetCheck[] = [];
  const ours500 = at(ours, 500);
  const base500 = at(baseline, 500);
  const p99 = (row: Row | undefined) => (typeof row?.['p99 ms'] === 'number' ? row['p99 ms'] : NaN);
  checks.push({
    target: 'fan-out p99 at 500 posts/s x 10 recipients <= 2x bare baseline p99',
    measured: ours500 && base500 ? `${p99(ours500).toFixed(1)} ms vs ${p99(base500).toFixed(1)} ms (${(p99(ours500) / p99(base500)).toFixed(2)}x)` : 'not run',
    met: ours500 && base500 && recipients === 10 ? p99(ours500) <= 2 * p99(base500) : null,
  });
  const ours2000 = at(ours, 2000);
  checks.push({
    target: 'zero lost or duplicated frames at 2,000 posts/s x 10',
    measured: ours2000 ? `${ours2000.lost} lost, ${ours2000.dup} duplicated of ${ours2000.frames} frames` : 'not run',
    met: ours2000 && recipients === 10 ? ours2000.lost === 0 && ours2000.dup === 0 : null,
  });
  return checks;
}
