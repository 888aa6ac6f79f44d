import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { ALL_PROJECTIONS } from '../../src/projections/all.js';
import { ProjectionRunner } from '../../src/projections/projectionRunner.js';
import type { ReadModelStore } from '../../src/readmodels/readModelStore.js';
import { replayLog } from '../../src/readmodels/rebuild.js';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { serveRpc } from '../lib/rpc.js';
import { Samples } from '../lib/stats.js';

/**
 * Load process rebuilding every read model from the log into a fresh read-model
 * file, two ways: the live projection runner catching up from position 0 (what
 * a server does on a fresh data dir), and `replayLog` (what `cli rebuild` runs).
 * Each committed batch is timed, from the end of the previous one.
 */

/** The same store, with the end of every committed batch recorded. */
function timingBatches(readModels: ReadModelStore, stamps: number[]): ReadModelStore {
  return new Proxy(readModels, {
    get(target, property) {
      if (property === 'applyBatch') {
        return async (...args: Parameters<ReadModelStore['applyBatch']>) => {
          await target.applyBatch(...args);
          stamps.push(performance.now());
        };
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export const handlers = {
  async rebuild(params: { eventsFile: string; readModelsFile: string; via: 'runner' | 'replay' }) {
    const store = await openSqliteEventStore({ file: params.eventsFile });
    const stamps: number[] = [];
    // As each really runs: a server catching up projects into a file it serves, `cli rebuild` bulk-loads a fresh one.
    const target = openSqliteReadModels(params.readModelsFile, { bulkLoad: params.via === 'replay' });
    const readModels = timingBatches(target, stamps);
    const head = await store.headPosition();
    let failure: string | null = null;
    const started = performance.now();
    stamps.push(started);
    if (params.via === 'runner') {
      const logger = { error: (_obj: object, message: string) => (failure = message) };
      const runners = ALL_PROJECTIONS.map((projection) => new ProjectionRunner(store, readModels, projection, logger));
      for (const runner of runners) await runner.start();
      const reached = await Promise.all(runners.map((runner) => runner.waitFor(head, 300_000)));
      if (!reached.every(Boolean)) failure ??= 'projection runner did not reach the head within 300 s';
      for (const runner of runners) await runner.stop();
    } else {
      const progress = await replayLog(store, readModels, ALL_PROJECTIONS);
      if (progress.position < head) failure = `replay stopped at ${progress.position} of ${head}`;
    }
    // Up to when the file can be served: the runners' last batch committed (a server answers from it meanwhile), a bulk
    // load's close (it builds its indexes there). Then the file's sync, which neither waits for (unsyncedWrites.ts).
    let servableAt = performance.now();
    await readModels.close();
    if (params.via === 'replay') servableAt = performance.now();
    target.syncToDisk();
    const elapsedMs = servableAt - started;
    const syncMs = performance.now() - servableAt;
    await store.close();
    const batchMs = new Samples();
    for (let i = 1; i < stamps.length; i++) batchMs.push(stamps[i]! - stamps[i - 1]!);
    return { events: head, elapsedMs, syncMs, batches: batchMs.length, batchMs: batchMs.toArray(), failure };
  },
};

serveRpc(handlers);
