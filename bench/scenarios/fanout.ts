import { join } from 'node:path';
import type { handlers as PosterHandlers, PostTarget } from '../load/poster.js';
import type { SocketSpec } from '../load/sockets.js';
import { seedChat } from '../lib/fixtures.js';
import { watchProcess } from '../lib/procStats.js';
import { startBaseline, startThreadline, waitProjected, type ServerUnderTest } from '../lib/processes.js';
import { forkLoadProcess } from '../lib/rpc.js';
import { latencyCells, ratioRow, useCells, withTempDir, type RunContext, type ScenarioResult, type TargetCheck } from '../lib/scenario.js';
import { SocketFleet } from '../lib/socketFleet.js';
import { summarize } from '../lib/stats.js';
import type { Row } from '../lib/table.js';

export interface FanoutOptions {
  /** Member sockets, spread evenly over the threads (one user per socket). */
  sockets: number;
  threads: number;
  /** Posts per second, one measured run each. */
  rates: number[];
  durationS: number;
  warmupS: number;
  /** Socket load processes (each holds at most 9,000). */
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
  warmupS: 1,
  processes: 1,
  connections: 64,
  graceMs: 5000,
  // The target's rate only: at every rate the scenario would run past a minute.
  durableBaselineRates: [500],
};

const POSTER_SCRIPT = new URL('../load/poster.ts', import.meta.url);

/**
 * Fan-out latency: posts over REST at a fixed rate, spread over the threads;
 * latency is from the POST being sent to the `chat_message` frame arriving on
 * each member socket, and every frame is accounted for. The same load then runs
 * against the bare baseline, and the ratio row compares the two; then against
 * the bare baseline with a durable append before each broadcast, for reference.
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

    const ours = await startThreadline({ dataDir, mode: context.mode, cpuProfileDir: context.cpuProfileDir, jwtSecret: fixture.jwtSecret });
    let oursRows: Row[];
    try {
      await waitProjected(ours.url);
      oursRows = await measure('threadline', ours, sockets, targets, options, context, notes);
    } finally {
      await ours.stop();
    }
    const runBaseline = async (label: string, env: Record<string, string> = {}, runOptions = options) => {
      const baseline = await startBaseline('fanout', env);
      try {
        return await measure(label, baseline, sockets, targets, runOptions, context, notes);
      } finally {
        await baseline.stop();
      }
    };
    const baselineRows = await runBaseline('bare ws baseline');
    // Not a target: how much of the gap to the bare baseline is the fsync every post waits for before delivery.
    const durableRates = options.rates.filter((rate) => options.durableBaselineRates.includes(rate));
    const durableRows =
      durableRates.length > 0
        ? await runBaseline('durable ws baseline', { BASELINE_DB: join(dataDir, 'fanout-baseline.db') }, { ...options, rates: durableRates })
        : [];

    const rows: Row[] = [];
    const ratioColumns = ['p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'frames/s', 'POST p50 ms', 'POST p99 ms', 'server RSS MiB', 'server CPU %'];
    const keep = ['posts/s asked'];
    oursRows.forEach((row, i) => {
      rows.push(row, baselineRows[i]!, ratioRow('ours / baseline', row, baselineRows[i]!, ratioColumns, keep));
      const durable = durableRows.find((candidate) => candidate['posts/s asked'] === row['posts/s asked']);
      if (durable) rows.push(durable, ratioRow('ours / durable baseline', row, durable, ratioColumns, keep));
    });
    return {
      title: `Fan-out: ${sockets.length} sockets over ${options.threads} threads (${membersPerThread} recipients per post)`,
      rows,
      notes,
      checks: fanoutChecks(oursRows, baselineRows, membersPerThread),
    };
  });
}

async function measure(
  label: string,
  server: ServerUnderTest,
  sockets: SocketSpec[],
  targets: PostTarget[],
  options: FanoutOptions,
  context: RunContext,
  notes: string[],
): Promise<Row[]> {
  context.log(`fanout: ${label}: opening ${sockets.length} sockets`);
  const opened = await SocketFleet.open(server.url, sockets, { processes: options.processes, concurrency: 100 });
  const poster = forkLoadProcess<typeof PosterHandlers>(POSTER_SCRIPT);
  const rows: Row[] = [];
  try {
    if (opened.failed > 0) notes.push(`${label}: ${opened.failed} sockets failed to open: ${opened.failures.join('; ')}`);
    const post = (runId: string, rate: number, durationS: number) =>
      poster.call('post', {
        url: server.url,
        runId,
        rate,
        durationMs: durationS * 1000,
        threads: targets,
        connections: options.connections,
        maxInFlight: 5000,
      });
    if (options.warmupS > 0) {
      await opened.fleet.startRun('warmup');
      const warm = await post('warmup', Math.min(...options.rates), options.warmupS);
      await opened.fleet.collect(warm.okMasks, options.graceMs);
    }
    for (const rate of options.rates) {
      context.log(`fanout: ${label}: ${rate} posts/s for ${options.durationS} s`);
      const runId = `r${rate}`;
      await opened.fleet.startRun(runId);
      const watch = watchProcess(server.pid);
      const started = performance.now();
      const posted = await post(runId, rate, options.durationS);
      const frames = await opened.fleet.collect(posted.okMasks, options.graceMs);
      const windowS = (performance.now() - started) / 1000;
      const use = watch.stop();
      const errors =
        frames.lost + frames.duplicates + frames.unexpected + frames.misrouted + frames.closed + posted.failed + posted.dropped + posted.unanswered + opened.failed;
      if (posted.errors.length > 0) notes.push(`${label} at ${rate}/s: post errors ${JSON.stringify(posted.statuses)}`);
      if (frames.closed > 0) notes.push(`${label} at ${rate}/s: sockets closed by the server: ${frames.closeReasons.join('; ')}`);
      const postLatency = summarize(posted.httpLatencies);
      rows.push({
        target: label,
        'posts/s asked': rate,
        'posts/s sent': (posted.ok + posted.failed) / (posted.sendingMs / 1000),
        'posts ok': posted.ok,
        frames: frames.frames,
        lost: frames.lost,
        dup: frames.duplicates,
        errors,
        ...latencyCells(summarize(...frames.latencies)),
        'frames/s': frames.frames / windowS,
        'POST p50 ms': postLatency.p50,
        'POST p99 ms': postLatency.p99,
        ...useCells(use),
      });
    }
    await opened.fleet.closeAll();
  } finally {
    await poster.stop();
    await opened.fleet.stop();
  }
  return rows;
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
