/**
 * Replay speed of the rebuild engine, in process (no progress bar, no child process):
 *   npx tsx --max-semi-space-size=32 bench/analytics/rebuildSpeed.ts <dataDir>
 * (the young-generation size `npm run cli` runs with, see package.json and BENCHMARKS.md).
 * The CLI's own figure comes from `DATA_DIR=<dataDir> npm run cli -- rebuild`.
 * Timed up to the read models' close, as the CLI's is: a bulk load builds its big
 * indexes and checkpoints its WAL there, and the file is not servable before. The
 * CLI switches to the file then, and syncs it to disk after (timed apart here).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { ALL_PROJECTIONS } from '../../src/projections/all.js';
import { replayLog } from '../../src/readmodels/rebuild.js';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';

const [dataDir] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: rebuildSpeed.ts <dataDir>');
const store = await openSqliteEventStore({ file: join(dataDir, 'events.db') });
const scratch = mkdtempSync(join(tmpdir(), 'rebuild-bench-'));
const target = openSqliteReadModels(join(scratch, 'readmodels.db'), { bulkLoad: true });
const started = performance.now();
const result = await replayLog(store, target, ALL_PROJECTIONS);
const replayed = performance.now();
await target.close();
const closed = performance.now();
target.syncToDisk();
const synced = performance.now();
const seconds = (closed - started) / 1000;
await store.close();
rmSync(scratch, { recursive: true, force: true });
console.log(
  `replayed ${result.applied} events in ${seconds.toFixed(2)} s (${((closed - replayed) / 1000).toFixed(2)} s of it closing; then ${((synced - closed) / 1000).toFixed(2)} s syncing): ` +
    `${Math.round(result.applied / seconds)} events/s`,
);
