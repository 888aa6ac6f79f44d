import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir, testEnv } from '../support/testApp.js';
import { http, startServerProcess, type ServerProcess } from '../support/serverProcess.js';

const run = promisify(execFile);
const dataDir = tempDir();
let server: ServerProcess | undefined;
afterAll(() => {
  server?.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

const seed = () =>
  run(process.execPath, ['--import', 'tsx', 'src/cli/seed.ts'], { env: { ...process.env, ...testEnv(dataDir) } });

async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('npm run seed', () => {
  it('fills the data dir of a running server with the documented demo logins, threads and messages', async () => {
    server = await startServerProcess(dataDir);
    const { stdout } = await seed();
    expect(stdout).toContain('login: alice / alice-password');

    const login = await http(`${server.url}/api/auth/login`, { body: { username: 'carol', password: 'carol-password' } });
    expect(login.status).toBe(200);
    const token = login.body!.access_token as string;
    expect((await http(`${server.url}/api/auth/me`, { token })).body!.role).toBe('moderator');

    // The running server follows appends made by the seeding process.
    const general = await eventually(async () => {
      const threads = await http(`${server!.url}/api/chat/threads/`, { token });
      return (threads.body as unknown as { id: string; title: string }[]).find((t) => t.title === 'General');
    });
    const history = await eventually(async () => {
      const page = await http(`${server!.url}/api/chat/messages/?thread=${general.id}`, { token });
      return page.body!.results.length === 4 ? page.body! : undefined;
    });
    expect(history.results[0].author.username).toBe('alice');

    const again = await seed();
    expect(again.stdout).toContain('already present');
  });
});
