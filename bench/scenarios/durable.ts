import { join } from 'node:path';
import type { handlers as AppendHandlers, EventIds } from '../load/appends.js';
import type { handlers as HttpLoadHandlers } from '../load/httpLoad.js';
import { seedChat } from '../lib/fixtures.js';
import { watchProcess } from '../lib/procStats.js';
import { startBaseline, startThreadline, waitProjected, type ServerUnderTest } from '../lib/processes.js';
import { forkLoadProcess } from '../lib/rpc.js';
import { latencyCells, ratioRow, useCells, withTempDir, type RunContext, type ScenarioResult } from '../lib/scenario.js';
import { summarize } from '../lib/stats.js';
import type { Row } from '../lib/table.js';

export interface DurableOptions {
  /** Concurrent HTTP connections (closed loop). */
  connections: number;
  /** Threads posted into; connection i posts into thread i mod threads as one of its members. */
  threads: number;
  durationS: number;
  warmupS: number;
  /** Raw port appends: events per append call, concurrent writers, seconds. */
  batch: number;
  writers: number;
  appendDurationS: number;
}

export const DURABLE_DEFAULTS: DurableOptions = { connections: 64, threads: 64, durationS: 10, warmupS: 1, batch: 100, writers: 8, appendDurationS: 5 };

const HTTP_LOAD_SCRIPT = new URL('../load/httpLoad.ts', import.meta.url);
const APPENDS_SCRIPT = new URL('../load/appends.ts', import.meta.url);

/**
 * Durable append throughput: `POST /api/chat/messages/` (auth, decide, append,
 * 201 only after the commit is fsynced) at a fixed concurrency, next to the
 * bare durable-write baseline under the same load; then raw appends through
 * the event-store port in batches.
 */
export async function runDurable(options: DurableOptions, context: RunContext): Promise<ScenarioResult> {
  const membersPerThread = Math.max(1, Math.ceil(options.connections / options.threads));
  return withTempDir('threadline-bench-durable-', async (dataDir) => {
    context.log(`durable: seeding ${options.threads * membersPerThread} users in ${options.threads} threads`);
    const fixture = await seedChat(dataDir, { users: options.threads * membersPerThread, threads: options.threads, membersPerThread });
    const requests = Array.from({ length: options.connections }, (_, i) => {
      const thread = fixture.threads[i % options.threads]!;
      const member = thread.members[Math.floor(i / options.threads) % thread.members.length]!;
      return {
        headers: { authorization: `Bearer ${fixture.users[member]!.token}` },
        body: JSON.stringify({ thread: thread.id, content: `durable bench post from connection ${i}` }),
      };
    });

    const ours = await startThreadline({ dataDir, mode: context.mode, cpuProfileDir: context.cpuProfileDir, jwtSecret: fixture.jwtSecret });
    let oursRow: Row;
    try {
      await waitProjected(ours.url);
      oursRow = await measureHttp('threadline POST /api/chat/messages/', ours, requests, options, context);
    } finally {
      await ours.stop();
    }
    const baseline = await startBaseline('durable', { BASELINE_DB: join(dataDir, 'baseline.db') });
    let baselineRow: Row;
    try {
      baselineRow = await measureHttp('bare durable-write baseline', baseline, requests, options, context);
    } finally {
      await baseline.stop();
    }
    const rawRow = await measureRawAppends(join(dataDir, 'raw-appends.db'), 'server', options, context);
    const randomIdsRow = await measureRawAppends(join(dataDir, 'raw-appends-random-ids.db'), 'random', options, context);

    const oursRate = oursRow['ops/s'] as number;
    const baselineRate = baselineRow['ops/s'] as number;
    const rawRate = rawRow['events/s'] as number;
    return {
      title: `Durable appends: ${options.connections} connections over ${options.threads} threads; raw port appends in batches of ${options.batch}`,
      rows: [
        oursRow,
        baselineRow,
        ratioRow('ours / baseline', oursRow, baselineRow, ['p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'ops/s', 'server RSS MiB', 'server CPU %']),
        rawRow,
        randomIdsRow,
      ],
      notes: [
        'the raw port rows have no server: their RSS and CPU are those of the appending process itself',
        'raw port rows: "server ids" are UUIDv7s as the server makes every id (src/ids.ts); "random ids" are UUIDv4s, as a writer other than this server might send: each lands on a random page of the log\'s unique id index',
        `connection i posts as one member of thread i mod ${options.threads}: ${options.threads === options.connections ? 'no two connections share a stream, so there are no optimistic-concurrency retries' : 'connections sharing a thread contend on its stream revision'}`,
      ],
      checks: [
        {
          target: 'durable posts/s through POST /api/chat/messages/ >= 25% of the durable-write baseline',
          measured: `${Math.round(oursRate)} vs ${Math.round(baselineRate)} posts/s (${((oursRate / baselineRate) * 100).toFixed(0)}%)`,
          met: options.connections === 64 ? oursRate >= 0.25 * baselineRate : null,
        },
        {
          target: 'raw appends through the event-store port in batches >= 30,000 events/s',
          measured: `${Math.round(rawRate)} events/s (batches of ${options.batch}, ${options.writers} writers, server ids; random ids: ${Math.round(randomIdsRow['events/s'] as number)})`,
          met: rawRate >= 30_000,
        },
      ],
    };
  });
}

async function measureHttp(
  label: string,
  server: ServerUnderTest,
  requests: { headers: Record<string, string>; body: string }[],
  options: DurableOptions,
  context: RunContext,
): Promise<Row> {
  context.log(`durable: ${label}: ${options.connections} connections for ${options.durationS} s`);
  const load = forkLoadProcess<typeof HttpLoadHandlers>(HTTP_LOAD_SCRIPT);
  try {
    await load.ready();
    const watch = watchProcess(server.pid);
    const result = await load.call('run', {
      url: server.url,
      path: '/api/chat/messages/',
      connections: options.connections,
      durationS: options.durationS,
      warmupS: options.warmupS,
      requests,
    });
    const use = watch.stop();
    return {
      target: label,
      ok: result.ok,
      errors: result.non2xx + result.errors + result.timeouts,
      ...latencyCells(summarize(result.latencies)),
      'ops/s': result.ok / result.durationS,
      'events/s': null,
      ...useCells(use),
    };
  } finally {
    await load.stop();
  }
}

async function measureRawAppends(file: string, ids: EventIds, options: DurableOptions, context: RunContext): Promise<Row> {
  context.log(`durable: raw port appends (${ids} ids) for ${options.appendDurationS} s`);
  const appender = forkLoadProcess<typeof AppendHandlers>(APPENDS_SCRIPT);
  try {
    await appender.ready();
    const watch = watchProcess(appender.pid);
    const result = await appender.call('append', { file, durationS: options.appendDurationS, batch: options.batch, writers: options.writers, ids });
    const use = watch.stop();
    return {
      target: `event-store port, batches of ${options.batch} x ${options.writers} writers, ${ids} ids`,
      ok: result.appends,
      errors: 0,
      ...latencyCells(summarize(result.latencies)),
      'ops/s': result.appends / (result.elapsedMs / 1000),
      'events/s': result.events / (result.elapsedMs / 1000),
      ...useCells(use),
    };
  } finally {
    await appender.stop();
  }
}
