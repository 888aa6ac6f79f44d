import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';

export const tempDir = (prefix = 'threadline-') => mkdtempSync(join(tmpdir(), prefix));

/**
 * `npm run test:production` sets TEST_PRODUCTION_ADAPTERS=1 with EVENTSTORE_URL / MONGO_URL:
 * every test server then uses them, each with a MongoDB database of its own.
 */
function productionAdapters(): Record<string, string> {
  if (process.env.TEST_PRODUCTION_ADAPTERS !== '1') return {};
  const env: Record<string, string> = {};
  if (process.env.EVENTSTORE_URL) env.EVENTSTORE_URL = process.env.EVENTSTORE_URL;
  if (process.env.MONGO_URL) {
    const url = new URL(process.env.MONGO_URL);
    url.pathname = `/test_${crypto.randomUUID().replaceAll('-', '')}`;
    env.MONGO_URL = url.toString();
  }
  return env;
}

/** Environment for a fast test server: cheap scrypt, random port, its own data dir. */
export const testEnv = (dataDir: string, extra: Record<string, string> = {}) => ({
  DATA_DIR: dataDir,
  PORT: '0',
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  SCRYPT_LOG_N: '10',
  ...productionAdapters(),
  ...extra,
});

export interface TestUser {
  id: string;
  username: string;
  email: string;
  token: string;
}

export interface TestApp {
  app: FastifyInstance;
  server: RunningServer;
  dataDir: string;
  /** Injects a request, as `user` when given. */
  request(options: InjectOptions & { as?: TestUser }): Promise<LightMyRequestResponse>;
  /** Registers and logs in a fresh user with a unique name. */
  user(name?: string): Promise<TestUser>;
  close(): Promise<void>;
}

let counter = 0;

export async function startTestApp(extraEnv: Record<string, string> = {}, dataDir = tempDir()): Promise<TestApp> {
  const server = await startServer(loadConfig(testEnv(dataDir, extraEnv)), { logger: false });
  const { app } = server;
  const request: TestApp['request'] = ({ as, headers, ...options }) =>
    app.inject({ ...options, headers: { ...headers, ...(as ? { authorization: `Bearer ${as.token}` } : {}) } });
  return {
    app,
    server,
    dataDir,
    request,
    async user(name) {
      const username = name ?? `user${process.pid}_${++counter}`;
      const password = 'correct horse battery';
      const email = `${username}@example.com`;
      const registered = await request({ method: 'POST', url: '/api/auth/register', payload: { username, email, password } });
      if (registered.statusCode !== 201) throw new Error(`register ${username}: ${registered.statusCode} ${registered.body}`);
      const login = await request({ method: 'POST', url: '/api/auth/login', payload: { username, password } });
      if (login.statusCode !== 200) throw new Error(`login ${username}: ${login.statusCode} ${login.body}`);
      return { id: registered.json().id, username, email, token: login.json().access_token };
    },
    async close() {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
