import { AggregateLoader } from '../commands/aggregates.js';
import type { CommandDeps } from '../commands/handleCommand.js';
import { loadConfig, type Config } from '../config.js';
import type { EventStore } from '../eventstore/eventStore.js';
import type { ReadModelStore } from '../readmodels/readModelStore.js';
import { openStores } from '../stores.js';

export interface CliStores {
  config: Config;
  store: EventStore;
  readModels: ReadModelStore;
  commands: CommandDeps & { scryptLogN: number };
  close(): Promise<void>;
}

/** The configured stores, as the server would open them: a CLI works beside a running server. */
export async function openCliStores(): Promise<CliStores> {
  const config = loadConfig();
  const { store, readModels } = await openStores(config);
  return {
    config,
    store,
    readModels,
    commands: { store, aggregates: new AggregateLoader(store), scryptLogN: config.scryptLogN },
    async close() {
      await store.close();
      await readModels.close();
    },
  };
}

/** Who the CLI acts as in event metadata: the operator, by OS user name. */
export const operatorContext = () => ({
  actorId: `operator:${process.env.USER ?? 'unknown'}`,
  correlationId: crypto.randomUUID(),
  now: new Date(),
});
