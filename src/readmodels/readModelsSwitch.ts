import { join } from 'node:path';
import type { EventStore } from '../eventstore/eventStore.js';
import { readModelSwaps } from '../metrics/metrics.js';
import { ProjectionRunner } from '../projections/projectionRunner.js';
import { watchReadModelsPointer } from './readModelsPointer.js';
import type { ReadModelStore } from './readModelStore.js';
import type { SwappableReadModels } from './swappableReadModels.js';

interface Logger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface SwitchDeps {
  dataDir: string;
  /** The read-model file name the server opened, read before opening it: a change in between is then seen as a change. */
  openedName: string;
  store: EventStore;
  readModels: SwappableReadModels;
  /** The server's runners: replaced in place, so health and read-your-writes see the new ones. */
  projections: ProjectionRunner[];
  open(file: string): ReadModelStore;
  logger: Logger;
  pollIntervalMs?: number;
}

const CATCH_UP_WAIT_MS = 5000;

/**
 * Follows the read-model pointer: when a rebuild points it at a new file, opens
 * it, runs the projections on it until they reach the head of the log, then
 * stops the old runners and serves the new store. Until that moment the old
 * store keeps answering, so queries never see a half-built read model.
 */
export function followReadModelsPointer(deps: SwitchDeps): { stop(): Promise<void> } {
  let switching: Promise<void> = Promise.resolve();
  let stopped = false;
  const unwatch = watchReadModelsPointer(
    deps.dataDir,
    deps.openedName,
    (name) => {
      switching = switching.then(() => (stopped ? undefined : switchTo(deps, name)));
    },
    deps.pollIntervalMs,
  );
  return {
    async stop() {
      stopped = true;
      unwatch();
      await switching;
    },
  };
}

async function switchTo(deps: SwitchDeps, name: string): Promise<void> {
  const next = deps.open(join(deps.dataDir, name));
  const runners = deps.projections.map((r) => new ProjectionRunner(deps.store, next, r.projection, r.logger));
  try {
    for (const runner of runners) await runner.start();
    // The log keeps growing: wait until a head read now has been applied by every new runner.
    for (;;) {
      const failed = runners.find((r) => r.failure);
      if (failed) throw new Error(`projection ${failed.projection.name} failed on the new read models: ${failed.failure!.message}`);
      const head = await deps.store.headPosition();
      const reached = await Promise.all(runners.map((r) => r.waitFor(head, CATCH_UP_WAIT_MS)));
      if (!reached.includes(false)) break;
    }
  } catch (error) {
    for (const runner of runners) await runner.stop();
    await next.close();
    deps.logger.error({ err: error, readModels: name }, 'read-model switch abandoned; still serving the previous read models');
    return;
  }
  const previous = deps.projections.splice(0, deps.projections.length, ...runners);
  for (const runner of previous) await runner.stop();
  await deps.readModels.swap(next).close();
  readModelSwaps.inc();
  deps.logger.info({ readModels: name, position: runners[0]?.position }, 'switched to rebuilt read models');
}
