import { existsSync } from 'node:fs';
import { request } from 'node:http';

/** Printed by a suite that needs a backend this machine cannot provide. */
export const NO_DOCKER = 'skipped: no Docker engine';

export const EVENTSTORE_IMAGE = process.env.EVENTSTORE_IMAGE ?? 'eventstore/eventstore:24.10.0-bookworm-slim';
export const MONGO_IMAGE = process.env.MONGO_IMAGE ?? 'mongo:7.0';
/** Pulling an image on a cold machine takes a while. */
export const CONTAINER_START_TIMEOUT_MS = 300_000;
const PING_TIMEOUT_MS = 2_000;

export interface Backend {
  url: string;
  /** Stops the container this helper started; a no-op for a URL from the environment. */
  stop(): Promise<void>;
}

/** Where the Docker engine listens, from DOCKER_HOST or the default socket; null when neither exists. */
function engineEndpoint(): { socketPath: string } | { host: string; port: number } | null {
  const dockerHost = process.env.DOCKER_HOST;
  if (dockerHost?.startsWith('unix://')) return { socketPath: dockerHost.slice('unix://'.length) };
  if (dockerHost?.startsWith('tcp://')) {
    const { hostname, port } = new URL(dockerHost.replace(/^tcp:/, 'http:'));
    return { host: hostname, port: Number(port || 2375) };
  }
  return existsSync('/var/run/docker.sock') ? { socketPath: '/var/run/docker.sock' } : null;
}

/** True when a Docker engine answers `GET /_ping` within a short timeout. */
export async function dockerAvailable(): Promise<boolean> {
  const endpoint = engineEndpoint();
  if (!endpoint) return false;
  return new Promise<boolean>((resolve) => {
    const ping = request({ ...endpoint, path: '/_ping', method: 'GET', timeout: PING_TIMEOUT_MS }, (response) => {
      response.resume();
      resolve(response.statusCode === 200);
    });
    ping.on('timeout', () => ping.destroy(new Error('docker ping timed out')));
    ping.on('error', () => resolve(false));
    ping.end();
  });
}

/**
 * Whether a suite needing `envVar`'s backend can run here: the variable is set,
 * or a Docker engine can start one. Prints the skip reason when it cannot.
 */
export async function backendReachable(envVar: 'EVENTSTORE_URL' | 'MONGO_URL'): Promise<boolean> {
  if (process.env[envVar] || (await dockerAvailable())) return true;
  console.log(NO_DOCKER);
  return false;
}

const fromEnvironment = (url: string): Backend => ({ url, stop: async () => undefined });

/** EVENTSTORE_URL, else an insecure in-memory single node in a container, else null. */
export async function eventStoreBackend(): Promise<Backend | null> {
  if (process.env.EVENTSTORE_URL) return fromEnvironment(process.env.EVENTSTORE_URL);
  if (!(await dockerAvailable())) return null;
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(EVENTSTORE_IMAGE)
    .withEnvironment({
      EVENTSTORE_INSECURE: 'true',
      EVENTSTORE_MEM_DB: 'true',
      EVENTSTORE_CLUSTER_SIZE: '1',
      EVENTSTORE_RUN_PROJECTIONS: 'None',
    })
    .withExposedPorts(2113)
    .withWaitStrategy(Wait.forHttp('/health/live', 2113).forStatusCodeMatching((status) => status >= 200 && status < 300))
    .withStartupTimeout(CONTAINER_START_TIMEOUT_MS)
    .start();
  return {
    url: `esdb://${container.getHost()}:${container.getMappedPort(2113)}?tls=false`,
    stop: async () => {
      await container.stop();
    },
  };
}

/** MONGO_URL, else a single-node replica set (transactions need one) in a container, else null. */
export async function mongoBackend(): Promise<Backend | null> {
  if (process.env.MONGO_URL) return fromEnvironment(process.env.MONGO_URL);
  if (!(await dockerAvailable())) return null;
  const { GenericContainer, Wait } = await import('testcontainers');
  const container = await new GenericContainer(MONGO_IMAGE)
    .withCommand(['--replSet', 'rs0', '--bind_ip_all'])
    .withExposedPorts(27017)
    .withWaitStrategy(Wait.forLogMessage(/waiting for connections/i))
    .withStartupTimeout(CONTAINER_START_TIMEOUT_MS)
    .start();
  // The member's host only matters inside the container: the tests connect directly, without discovery.
  const initiate = `rs.initiate({ _id: 'rs0', members: [{ _id: 0, host: '127.0.0.1:27017' }] });
    while (!db.hello().isWritablePrimary) sleep(100);`;
  const result = await container.exec(['mongosh', '--quiet', '--eval', initiate]);
  if (result.exitCode !== 0) {
    await container.stop();
    throw new Error(`rs.initiate failed: ${result.output}`);
  }
  return {
    url: `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/?directConnection=true`,
    stop: async () => {
      await container.stop();
    },
  };
}
