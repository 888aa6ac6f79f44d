import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance, InjectOptions, LightMyRequestResponse } from 'fastify';
import { loadConfig } from '../../src/config.js';
import { startServer, type RunningServer } from '../../src/server.js';

export const tempDir = (prefix = 'threadline-') => mkdtempSync(join(tmpdir(), prefix));

/** Environment for a fast test server: cheap scrypt, random port, its own data dir. */
export const testEnv = (dataDir: string, extra: Record<string, string> = {}) => ({
  DATA_DIR: dataDir,
  PORT: '0',
  NODE_ENV: 'test',
  LOG_LEVEL: 'silent',
  SCRYPT_LOG_N: '10',
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
