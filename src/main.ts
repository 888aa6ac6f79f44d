import { ConfigError, loadConfig } from './config.js';
import { startServer } from './server.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`threadline: ${error.message}`);
      process.exit(1);
    }
    throw error;
  }
  const server = await startServer(config);
  server.app.log.info({ url: server.url, dataDir: config.dataDir, eventStore: config.eventStoreUrl ? 'eventstoredb' : 'sqlite', readModels: config.mongoUrl ? 'mongodb' : 'sqlite' }, 'threadline ready');

  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.app.log.info({ signal }, 'shutting down');
    // Graceful, but bounded: a stuck socket must not keep the process alive.
    setTimeout(() => process.exit(1), 5000).unref();
    server.close().then(
      () => process.exit(0),
      (error: unknown) => {
        server.app.log.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('threadline: failed to start', error);
  process.exit(1);
});
