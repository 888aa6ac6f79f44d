import { join } from 'node:path';
import type { handlers as FeedHandlers } from '../load/feed.js';
import type { handlers as RebuildHandlers } from '../load/rebuild.js';
import { seedLog } from '../lib/fixtures.js';
import { watchProcess } from '../lib/procStats.js';
import { cliNodeFlags, startThreadline, waitProjected } from '../lib/processes.js';
import { forkLoadProcess } from '../lib/rpc.js';
import { latencyCells, useCells, withTempDir, type RunContext, type ScenarioResult } from '../lib/scenario.js';
import { summarize } from '../lib/stats.js';
import type { Row } from '../lib/table.js';

export interface RebuildOptions {
  /** Events in the log, of which users x 2 + threads x (1 + 10 members) set up users and threads; the rest are messages. */
  events: number;
  users: number;
  threads: number;
  /** Page size of the analytics feed reader. */
  pageSize: number;
}

export const REBUILD_DEFAULTS: RebuildOptions = { events: 200_000, users: 1000, threads: 200, pageSize: 1000 };

const REBUILD_SCRIPT = new URL('../load/rebuild.ts', import.meta.url);
const FEED_SCRIPT = new URL('../load/feed.ts', import.meta.url);

/**
 * Rebuild: events/s projecting a whole log into fresh read models, through the
 * live projection runner and through `replayLog` (the CLI's rebuild); then the
 * catch-up read rate of the analytics feed (`GET /api/events/`) over the same log.
 */
export async function runRebuild(options: RebuildOptions, context: RunContext): Promise<ScenarioResult> {
  return withTempDir('threadline-bench-rebuild-', async (dir) => {
    const dataDir = join(dir, 'data');
    context.log(`rebuild: writing a log of ${options.events} events`);
    const log = await seedLog(dataDir, { totalEvents: options.events, users: options.users, threads: options.threads });
    const notes: string[] = [];
    const rows: Row[] = [];
    for (const via of ['runner', 'replay'] as const) {
      context.log(`rebuild: via ${via}`);
      // The runner as a server runs (no flags, as `npm start`), the replay as `npm run cli -- rebuild`.
      const rebuilder = forkLoadProcess<typeof RebuildHandlers>(REBUILD_SCRIPT, { nodeFlags: via === 'replay' ? cliNodeFlags() : [] });
      try {
        await rebuilder.ready();
        const watch = watchProcess(rebuilder.pid);
        const result = await rebuilder.call('rebuild', { eventsFile: join(dataDir, 'events.db'), readModelsFile: join(dir, `readmodels-${via}.db`), via });
        const use = watch.stop();
        if (result.failure) notes.push(`rebuild via ${via} failed: ${result.failure}`);
        notes.push(`${via}: timed until the file could be served; syncing it to disk after that took ${Math.round(result.syncMs)} ms more`);
        rows.push({
          target: via === 'runner' ? 'projection runner from 0 (batch latency)' : 'replayLog, as cli rebuild (page latency)',
          events: result.events,
          errors: result.failure ? 1 : 0,
          ...latencyCells(summarize(result.batchMs)),
          'events/s': result.events / (result.elapsedMs / 1000),
          ...useCells(use),
        });
      } finally {
        await rebuilder.stop();
      }
    }
    rows.push(...(await measureFeed(dataDir, log, options, context, notes)));
    const replayRate = rows[1]?.['events/s'];
    return {
      title: `Rebuild and feed catch-up over a log of ${log.head} events`,
      rows,
      notes: ['rebuild rows have no server: RSS and CPU are those of the rebuilding process', ...notes],
      checks: [
        {
          target: 'rebuild at least 100,000 events/s (200,000-event log)',
          measured: typeof replayRate === 'number' ? `${Math.round(replayRate)} events/s (replayLog), ${Math.round(rows[0]!['events/s'] as number)} events/s (runner)` : 'not measured',
          met: typeof replayRate === 'number' && options.events >= 200_000 ? replayRate >= 100_000 : null,
        },
      ],
    };
  });
}

async function measureFeed(
  dataDir: string,
  log: { jwtSecret: string; adminToken: string; head: number },
  options: RebuildOptions,
  context: RunContext,
  notes: string[],
): Promise<Row[]> {
  context.log('rebuild: analytics feed catch-up');
  const server = await startThreadline({ dataDir, mode: context.mode, cpuProfileDir: context.cpuProfileDir, jwtSecret: log.jwtSecret });
  const reader = forkLoadProcess<typeof FeedHandlers>(FEED_SCRIPT);
  try {
    await waitProjected(server.url);
    await reader.ready();
    const watch = watchProcess(server.pid);
    const result = await reader.call('read', { url: server.url, token: log.adminToken, limit: options.pageSize, head: log.head });
    const use = watch.stop();
    if (result.missing) {
      notes.push('analytics feed skipped: the server has no GET /api/events/ route');
      return [];
    }
    if (result.error) notes.push(`analytics feed: ${result.error}`);
    return [
      {
        target: `analytics feed GET /api/events/ (pages of ${options.pageSize})`,
        events: result.events,
        errors: result.error ? 1 : 0,
        ...latencyCells(summarize(result.pageMs)),
        'events/s': result.events / (result.elapsedMs / 1000),
        ...useCells(use),
      },
    ];
  } finally {
    await reader.stop();
    await server.stop();
  }
}
