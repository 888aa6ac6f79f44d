import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { tempDir } from '../support/testApp.js';
import { http, signUp, startServerProcess, type ServerProcess } from '../support/serverProcess.js';

const dataDir = tempDir();
const running: ServerProcess[] = [];
afterAll(() => {
  for (const server of running) server.child.kill('SIGKILL');
  rmSync(dataDir, { recursive: true, force: true });
});

describe('the server as a process, over real sockets', () => {
  it('keeps an acknowledged message through kill -9 and a restart on the same DATA_DIR', async () => {
    const first = await startServerProcess(dataDir);
    running.push(first);
    const alice = await signUp(first.url, 'durable_alice');
    const thread = await http(`${first.url}/api/chat/threads/`, { token: alice.token, body: { title: 'durable' } });
    expect(thread.status).toBe(201);
    const posted = await http(`${first.url}/api/chat/messages/`, {
      token: alice.token,
      body: { thread: thread.body!.id, content: 'survives SIGKILL' },
    });
    expect(posted.status).toBe(201);
    // No graceful anything: the process dies right after the 201.
    first.child.kill('SIGKILL');
    expect((await first.exited).signal).toBe('SIGKILL');

    const second = await startServerProcess(dataDir);
    running.push(second);
    const history = await http(`${second.url}/api/chat/messages/?thread=${thread.body!.id}&min_position=${posted.body!.position}`, {
      token: alice.token,
    });
    expect(history.status).toBe(200);
    expect(history.body!.results.map((m: { id: string; content: string }) => [m.id, m.content])).toEqual([
      [posted.body!.id, 'survives SIGKILL'],
    ]);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
  });

  it('never writes passwords, hashes or tokens to its logs', async () => {
    const server = await startServerProcess(dataDir, { LOG_LEVEL: 'trace' });
    running.push(server);
    const bob = await signUp(server.url, 'logged_bob');
    await http(`${server.url}/api/auth/me`, { token: bob.token });
    server.child.kill('SIGTERM');
    await server.exited;
    const logged = JSON.stringify(server.logs);
    expect(server.logs.length).toBeGreaterThan(3);
    expect(logged).not.toContain('correct horse battery');
    expect(logged).not.toContain(bob.token);
    expect(logged).not.toContain('scrypt$');
    const secret = readFileSync(join(dataDir, 'jwt-secret'), 'utf8');
    expect(logged).not.toContain(secret);
    expect(readdirSync(dataDir)).toEqual(expect.arrayContaining(['events.db', 'readmodels.db', 'jwt-secret']));
  });
});
