import { join } from 'node:path';
import type { Command } from 'commander';
import { ALL_PROJECTIONS } from '../../projections/all.js';
import { currentReadModelsName, newReadModelsName, removeOldReadModels, switchReadModels } from '../../readmodels/readModelsPointer.js';
import { replayLog } from '../../readmodels/rebuild.js';
import { writeRebuildStatus, type RebuildStatus } from '../../readmodels/rebuildStatus.js';
import { openSqliteReadModels } from '../../readmodels/sqliteReadModels.js';
import { progressBar } from '../progress.js';
import { openCliStores } from '../stores.js';

const STATUS_EVERY_MS = 1000;

/**
 * `rebuild [readModel]`: replays the whole log into a fresh read-model file,
 * then points the data dir at it. Running servers keep serving the old file
 * until they have caught the new one up, then switch (see readModelsSwitch.ts).
 * Every projection writes into the same file, so all of them are rebuilt together.
 */
export function registerRebuild(program: Command): void {
  const names = ALL_PROJECTIONS.map((p) => p.name);
  program
    .command('rebuild')
    .description(`rebuild the read models from the log into fresh storage and switch to it when caught up (${names.join(', ')})`)
    .argument('[readModel]', `one of ${names.join(', ')} (they share one store and are rebuilt together)`)
    .action(async (readModel: string | undefined) => {
      if (readModel !== undefined && !names.includes(readModel)) throw new Error(`unknown read model ${readModel}; known: ${names.join(', ')}`);
      const cli = await openCliStores();
      try {
        if (cli.config.mongoUrl) {
          throw new Error('rebuild switches embedded (SQLite) read models; for MongoDB see docs/analytics.md (rebuild into a new database, then switch)');
        }
        const { dataDir } = cli.config;
        const previous = currentReadModelsName(dataDir);
        const name = newReadModelsName();
        const target = openSqliteReadModels(join(dataDir, name), { bulkLoad: true });
        const progress = progressBar('rebuild');
        const status: RebuildStatus = {
          readModels: name,
          state: 'running',
          position: 0,
          head: await cli.store.headPosition(),
          eventsPerSecond: 0,
          startedAt: new Date().toISOString(),
          updatedAt: new Date().toISOString(),
        };
        let lastStatus = 0;
        const report = (state: RebuildStatus['state']) => {
          status.state = state;
          status.updatedAt = new Date().toISOString();
          writeRebuildStatus(dataDir, status);
        };
        report('running');
        try {
          const result = await replayLog(cli.store, target, ALL_PROJECTIONS, (p) => {
            progress.update(p.position, p.head, p.applied);
            Object.assign(status, { position: p.position, head: p.head, eventsPerSecond: progress.rate(p.applied) });
            if (performance.now() - lastStatus >= STATUS_EVERY_MS) {
              lastStatus = performance.now();
              report('running');
            }
          });
          progress.stop();
          await target.close();
          switchReadModels(dataDir, name);
          status.eventsPerSecond = progress.rate(result.applied);
          report('done');
          // Servers may switch already: until this sync, the file's marker has a machine crash discard it.
          target.syncToDisk();
          const removed = removeOldReadModels(dataDir, [name, previous]);
          console.log(
            `rebuilt ${name} from ${result.applied} events (up to position ${result.position}) at ${status.eventsPerSecond} events/s; ` +
              `running servers switch to it once they have caught it up` +
              (removed.length > 0 ? `; removed ${removed.join(', ')}` : ''),
          );
        } catch (error) {
          progress.stop();
          report('failed');
          // The replay's error is the one to report; the file is abandoned whatever closing it says.
          await target.close().catch(() => undefined);
          throw error;
        }
      } finally {
        await cli.close();
      }
    });
}
