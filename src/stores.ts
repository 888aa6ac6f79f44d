import { join } from 'node:path';
import type { Config } from './config.js';
import type { EventStore } from './eventstore/eventStore.js';
import { openSqliteEventStore } from './eventstore/sqliteEventStore.js';
import type { ReadModelStore } from './readmodels/readModelStore.js';
import { currentReadModelsFile } from './readmodels/readModelsPointer.js';
import { openSqliteReadModels } from './readmodels/sqliteReadModels.js';

/** The configured adapters: EventStoreDB / MongoDB when their URLs are set, embedded SQLite otherwise. */
export async function openStores(config: Config): Promise<{ store: EventStore; readModels: ReadModelStore }> {
  const store = config.eventStoreUrl
    ? await (await import('./eventstore/esdbEventStore.js')).openEsdbEventStore(config.eventStoreUrl)
    : await openSqliteEventStore({ file: join(config.dataDir, 'events.db') });
  const readModels = config.mongoUrl
    ? await (await import('./readmodels/mongoReadModels.js')).openMongoReadModels(config.mongoUrl)
    : openSqliteReadModels(currentReadModelsFile(config.dataDir));
  return { store, readModels };
}
