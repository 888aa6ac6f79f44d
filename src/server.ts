import type { FastifyInstance } from 'fastify';
import { buildApp, loggerOptions } from './app.js';
import type { Config } from './config.js';
import { startServices, stopServices, type Services } from './services.js';
import { currentReadModelsName } from './readmodels/readModelsPointer.js';
import { followReadModelsPointer } from './readmodels/readModelsSwitch.js';
import { openSqliteReadModels } from './readmodels/sqliteReadModels.js';
import { SwappableReadModels } from './readmodels/swappableReadModels.js';
import { openStores } from './stores.js';

export interface RunningServer {
  app: FastifyInstance;
  services: Services;
  url: string;
  close(): Promise<void>;
}

/** Opens the configured stores, starts the projections and listens. */
export async function startServer(config: Config, options: { logger?: boolean } = {}): Promise<RunningServer> {
  const openedName = currentReadModelsName(config.dataDir);
  const { store, readModels } = await openStores(config);
  // Served through a wrapper so that a rebuilt read model can replace it while the server runs.
  const swappable = new SwappableReadModels(readModels);
  const logger = options.logger === false ? false : loggerOptions(config.logLevel);
  const placeholderLog = { error: (obj: object, msg: string) => console.error(msg, obj) };
  const services = await startServices(config, store, swappable.store, placeholderLog);
  const app = await buildApp(services, { logger });
  // Projection failures go to the app's structured log once it exists.
  for (const runner of services.projections) runner.logger = app.log;
  const readModelsSwitch = config.mongoUrl
    ? null
    : followReadModelsPointer({
        dataDir: config.dataDir,
        openedName,
        store: services.store,
        readModels: swappable,
        projections: services.projections,
        open: openSqliteReadModels,
        logger: app.log,
      });
  await app.listen({ host: config.host, port: config.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  let closing: Promise<void> | null = null;
  return {
    app,
    services,
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`,
    close: () =>
      (closing ??= (async () => {
        await readModelsSwitch?.stop();
        await app.close();
        await stopServices(services);
      })()),
  };
}
