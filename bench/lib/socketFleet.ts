import type { handlers as SocketHandlers, SocketSpec } from '../load/sockets.js';
import { forkLoadProcess, type LoadProcess } from './rpc.js';
import { chunks, MAX_SOCKETS_PER_PROCESS } from './scenario.js';

type SocketProcess = LoadProcess<typeof SocketHandlers>;
const SOCKETS_SCRIPT = new URL('../load/sockets.ts', import.meta.url);

/** Sockets spread over as many load processes as needed (at most `perProcess` each), driven as one. */
export class SocketFleet {
  private constructor(readonly processes: SocketProcess[]) {}

  /** Forks the processes and opens every socket; each process opens its share `concurrency` at a time. */
  static async open(url: string, specs: SocketSpec[], options: { perProcess?: number; processes?: number; concurrency: number }) {
    const perProcess = Math.min(
      MAX_SOCKETS_PER_PROCESS,
      options.perProcess ?? Math.ceil(specs.length / Math.max(1, options.processes ?? 1)),
    );
    const shares = chunks(specs, Math.max(1, perProcess));
    const fleet = new SocketFleet(shares.map(() => forkLoadProcess<typeof SocketHandlers>(SOCKETS_SCRIPT)));
    try {
      const results = await Promise.all(
        shares.map((sockets, i) => fleet.processes[i]!.call('open', { url, sockets, concurrency: options.concurrency })),
      );
      return {
        fleet,
        opened: results.reduce((sum, r) => sum + r.opened, 0),
        failed: results.reduce((sum, r) => sum + r.failed, 0),
        failures: results.flatMap((r) => r.failures).slice(0, 5),
        setupMs: results.map((r) => r.setupMs),
        elapsedMs: Math.max(0, ...results.map((r) => r.elapsedMs)),
      };
    } catch (error) {
      await fleet.stop();
      throw error;
    }
  }

  get pids(): number[] {
    return this.processes.map((p) => p.pid);
  }

  async startRun(id: string): Promise<void> {
    await Promise.all(this.processes.map((p) => p.call('startRun', { id })));
  }

  async collect(expected: Record<number, Uint8Array>, graceMs: number) {
    const results = await Promise.all(this.processes.map((p) => p.call('collect', { expected, graceMs })));
    const sum = (key: 'frames' | 'lost' | 'duplicates' | 'unexpected' | 'misrouted' | 'closed') => results.reduce((total, r) => total + r[key], 0);
    return {
      frames: sum('frames'),
      lost: sum('lost'),
      duplicates: sum('duplicates'),
      unexpected: sum('unexpected'),
      misrouted: sum('misrouted'),
      closed: sum('closed'),
      closeReasons: results.flatMap((r) => r.closeReasons).slice(0, 5),
      latencies: results.map((r) => r.latencies),
    };
  }

  async closeAll(): Promise<number> {
    const counts = await Promise.all(this.processes.map((p) => p.call('closeAll', {})));
    return counts.reduce((a, b) => a + b, 0);
  }

  async stop(): Promise<void> {
    await Promise.all(this.processes.map((p) => p.stop()));
  }
}
