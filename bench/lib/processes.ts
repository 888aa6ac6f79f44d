import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** The node flags `npm run cli` passes (package.json's `cli` script), for a load process that runs as the CLI does. */
export function cliNodeFlags(): string[] {
  const { scripts } = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { scripts: Record<string, string> };
  return (scripts.cli ?? '').split(/\s+/).filter((word) => word.startsWith('--'));
}

/** `dist`: the compiled server (`npm run build:server`); `tsx`: the TypeScript sources through tsx. */
export type ServerMode = 'dist' | 'tsx';

/** A server the load processes hit: ours or a bare baseline, always its own process. */
export interface ServerUnderTest {
  name: string;
  pid: number;
  url: string;
  stop(): Promise<void>;
}

/** Builds the server once; falls back to tsx (with a printed note) when the build fails. */
export function buildServer(log: (line: string) => void): ServerMode {
  const build = spawnSync('npm', ['run', '--silent', 'build:server'], { cwd: ROOT, encoding: 'utf8' });
  if (build.status === 0 && existsSync(`${ROOT}/dist/src/main.js`)) return 'dist';
  log(`note: npm run build:server failed (${build.status}); running the server through tsx instead\n${build.stdout}${build.stderr}`);
  return 'tsx';
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * Spawns `args` under node with PORT set, then waits until `readyPath` answers
 * 200 (the servers run with LOG_LEVEL=warn, so there is no ready log line to
 * read, and per-request logging does not weigh on the measurements).
 */
async function spawnServer(name: string, args: string[], env: Record<string, string>, readyPath: string): Promise<ServerUnderTest> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...cleanEnv(), ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}:\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`${name} not ready within 60 s:\n${output}`);
    }
    const status = await fetch(url + readyPath).then(
      (res) => res.arrayBuffer().then(() => res.status),
      () => 0,
    );
    if (status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    name,
    pid: child.pid!,
    url,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 7000);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** The parent's environment without anything that would point the server elsewhere. */
function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value === undefined || ['EVENTSTORE_URL', 'MONGO_URL', 'NODE_OPTIONS'].includes(key)) continue;
    if (key.startsWith('VITEST') || key === 'TEST') continue;
    env[key] = value;
  }
  return env;
}

/** Per-user post limits far above any bench rate: the bench measures the path, not the limiter. */
export const UNLIMITED_POSTS = { RATE_POSTS_PER_SECOND: '1000000', RATE_POSTS_BURST: '1000000' };

/** Our server on `dataDir`, as `npm start` runs it (compiled) or through tsx. */
export function startThreadline(options: { dataDir: string; mode: ServerMode; jwtSecret: string; cpuProfileDir?: string; env?: Record<string, string> }) {
  // --cpu-prof writes a .cpuprofile (open it in Chrome DevTools) when the server exits.
  const profile = options.cpuProfileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfileDir}`] : [];
  const args = [...profile, ...(options.mode === 'dist' ? ['dist/src/main.js'] : ['--import', 'tsx', 'src/main.ts'])];
  return spawnServer('threadline', args, {
    NODE_ENV: 'production',
    LOG_LEVEL: 'warn',
    DATA_DIR: options.dataDir,
    JWT_SECRET: options.jwtSecret,
    JWT_TTL_SECONDS: String(6 * 3600),
    ...UNLIMITED_POSTS,
    ...options.env,
  }, '/healthz');
}

/** Waits until every projection has applied the whole log (the server starts serving before that). */
export async function waitProjected(url: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const readiness = (await (await fetch(`${url}/readyz`)).json()) as {
      projections: { name: string; lag: number; failure: { message: string } | null }[];
    };
    const failed = readiness.projections.find((p) => p.failure);
    if (failed) throw new Error(`projection ${failed.name} failed: ${failed.failure!.message}`);
    if (readiness.projections.every((p) => p.lag === 0)) return;
    if (Date.now() > deadline) throw new Error(`projections still lag after ${timeoutMs} ms: ${JSON.stringify(readiness.projections)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** A bare baseline server from bench/baselines. */
export function startBaseline(kind: 'fanout' | 'durable', env: Record<string, string> = {}) {
  return spawnServer(`${kind} baseline`, ['--import', 'tsx', `bench/baselines/${kind}Server.ts`], env, '/healthz');
}
