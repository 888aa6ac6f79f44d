import type { SocketSpec } from '../load/sockets.js';
import { seedChat } from '../lib/fixtures.js';
import { rssBytes, watchProcess } from '../lib/procStats.js';
import { startBaseline, startThreadline, waitProjected, type ServerUnderTest } from '../lib/processes.js';
import { latencyCells, ratioRow, sleep, useCells, withTempDir, type RunContext, type ScenarioResult } from '../lib/scenario.js';
import { SocketFleet } from '../lib/socketFleet.js';
import { summarize } from '../lib/stats.js';
import { kib, mib, type Row } from '../lib/table.js';

export interface IdleOptions {
  /** Authenticated sockets held open, one user each. */
  sockets: number;
  threads: number;
  /** Handshakes in flight per load process. */
  concurrency: number;
  /** Quiet time before and after opening, so RSS readings are not mid-allocation. */
  settleMs: number;
  /** At most this many sockets per load process. */
  perProcess: number;
}

export const IDLE_DEFAULTS: IdleOptions = { sockets: 5000, threads: 100, concurrency: 100, settleMs: 2000, perProcess: 9000 };
const WARMUP_SOCKETS = 20;

/**
 * Idle sockets: the server's RSS before and after opening N authenticated
 * sockets (after `ready`), divided by N; and how fast they are set up.
 */
export async function runIdle(options: IdleOptions, context: RunContext): Promise<ScenarioResult> {
  const membersPerThread = Math.max(1, Math.ceil((options.sockets + WARMUP_SOCKETS) / options.threads));
  const notes: string[] = [
    'RSS delta / sockets includes garbage not yet collected, and allocator slack: an upper bound of what a socket holds.',
  ];
  return withTempDir('threadline-bench-idle-', async (dataDir) => {
    const users = options.threads * membersPerThread;
    context.log(`idle: seeding ${users} users`);
    const fixture = await seedChat(dataDir, { users, threads: options.threads, membersPerThread });
    const all: SocketSpec[] = fixture.threads.flatMap((thread, threadIndex) =>
      thread.members.map((member) => ({ thread: thread.id, threadIndex, token: fixture.users[member]!.token })),
    );
    // Every socket is its user's only one, the warm-up ones included.
    const sockets = all.slice(0, options.sockets);
    const warmup = all.slice(options.sockets, options.sockets + WARMUP_SOCKETS);

    const ours = await startThreadline({ dataDir, mode: context.mode, cpuProfileDir: context.cpuProfileDir, jwtSecret: fixture.jwtSecret });
    let oursRow: Row;
    try {
      await waitProjected(ours.url);
      oursRow = await measure('threadline', ours, sockets, warmup, options, context, notes);
    } finally {
      await ours.stop();
    }
    const baseline = await startBaseline('fanout');
    let baselineRow: Row;
    try {
      baselineRow = await measure('bare ws baseline', baseline, sockets, warmup, options, context, notes);
    } finally {
      await baseline.stop();
    }
    const perSocket = oursRow['KiB/socket'];
    return {
      title: `Idle sockets: ${sockets.length} authenticated sockets over ${options.threads} threads`,
      rows: [
        oursRow,
        baselineRow,
        ratioRow('ours / baseline', oursRow, baselineRow, ['p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'setup/s', 'KiB/socket', 'server CPU %']),
      ],
      notes,
      checks: [
        {
          target: 'at most 16 KiB of RSS per idle authenticated socket (at 5,000 sockets)',
          measured: typeof perSocket === 'number' ? `${perSocket.toFixed(1)} KiB/socket at ${sockets.length}` : 'not measured',
          met: typeof perSocket === 'number' && options.sockets === 5000 ? perSocket <= 16 : null,
        },
      ],
    };
  });
}

async function measure(
  label: string,
  server: ServerUnderTest,
  sockets: SocketSpec[],
  warmup: SocketSpec[],
  options: IdleOptions,
  context: RunContext,
  notes: string[],
): Promise<Row> {
  // A few sockets first, closed again: code paths loaded and compiled before the baseline reading.
  const warm = await SocketFleet.open(server.url, warmup, { processes: 1, concurrency: options.concurrency });
  await warm.fleet.closeAll();
  await warm.fleet.stop();
  await sleep(options.settleMs);
  const before = rssBytes(server.pid);
  context.log(`idle: ${label}: opening ${sockets.length} sockets`);
  const watch = watchProcess(server.pid);
  const opened = await SocketFleet.open(server.url, sockets, { perProcess: options.perProcess, concurrency: options.concurrency });
  const use = watch.stop();
  try {
    await sleep(options.settleMs);
    const after = rssBytes(server.pid);
    if (opened.failed > 0) notes.push(`${label}: ${opened.failed} sockets failed to open: ${opened.failures.join('; ')}`);
    const row: Row = {
      target: label,
      sockets: sockets.length,
      opened: opened.opened,
      errors: opened.failed,
      ...latencyCells(summarize(...opened.setupMs)),
      'setup/s': opened.opened / (opened.elapsedMs / 1000),
      'RSS before MiB': mib(before),
      'KiB/socket': opened.opened > 0 ? kib((after - before) / opened.opened) : null,
      ...useCells(use),
    };
    // CPU is over the setup window; RSS is the settled reading after it.
    row['server RSS MiB'] = mib(after);
    await opened.fleet.closeAll();
    return row;
  } finally {
    await opened.fleet.stop();
  }
}
