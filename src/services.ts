import { AggregateLoader } from './commands/aggregates.js';
import type { CommandDeps } from './commands/handleCommand.js';
import type { Config } from './config.js';
import type { EventStore } from './eventstore/eventStore.js';
import { instrumentEventStore } from './metrics/instrumentedEventStore.js';
import { ALL_PROJECTIONS } from './projections/all.js';
import { ProjectionRunner } from './projections/projectionRunner.js';
import type { ReadModelStore } from './readmodels/readModelStore.js';
import { createTokenService, type TokenService } from './auth/tokens.js';

/** Everything the routes and the gateway share: one instance per process. */
export interface Services {
  config: Config;
  store: EventStore;
  readModels: ReadModelStore;
  commands: CommandDeps & { scryptLogN: number };
  projections: ProjectionRunner[];
  tokens: TokenService;
}

interface Logger {
  error(obj: object, msg: string): void;
}

export async function startServices(config: Config, eventStore: EventStore, readModels: ReadModelStore, logger: Logger): Promise<Services> {
  const store = instrumentEventStore(eventStore);
  const projections = ALL_PROJECTIONS.map((projection) => new ProjectionRunner(store, readModels, projection, logger));
  for (const runner of projections) await runner.start();
  const aggregates = new AggregateLoader(store);
  await aggregates.follow();
  return {
    config,
    store,
    readModels,
    commands: { store, aggregates, scryptLogN: config.scryptLogN },
    projections,
    tokens: createTokenService(config.jwtSecret, config.jwtTtlSeconds),
  };
}

export async function stopServices(services: Services): Promise<void> {
  services.commands.aggregates.unfollow();
  for (const runner of services.projections) await runner.stop();
  await services.store.close();
  await services.readModels.close();
}
