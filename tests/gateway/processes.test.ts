import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { http, signUp, startServerProcess, type ServerProcess } from '../support/serverProcess.js';
import { tempDir } from '../support/testApp.js';
import { connectReady, eventually, type Frame, type TestSocket } from './wsClient.js';

// Real child processes sharing one DATA_DIR: the gateway's fan-out, typing and
// presence go through the store, so they cross processes like they would cross nodes.
// Both processes project into one read-model file; on a loaded CI machine a first write (which also starts the
// read-model writer threads, compiled on the fly from the sources) can take longer than the default 2 s read-your-writes bound.
const PRESENCE = { PRESENCE_HEARTBEAT_MS: '200', PRESENCE_TTL_MS: '1000', MIN_POSITION_WAIT_MS: '15000' };

const stop = async (server: ServerProcess) => {
  if (server.child.exitCode === null && server.child.signalCode === null) server.child.kill('SIGKILL');
  await server.exited;
};

describe('two server processes on one data directory', () => {
  const dataDir = tempDir();
  let first: ServerProcess;
  let second: ServerProcess;
  const sockets: TestSocket[] = [];

  beforeAll(async () => {
    // One after the other: the first creates the shared secret and the databases.
    first = await startServerProcess(dataDir, PRESENCE);
    second = await startServerProcess(dataDir, PRESENCE);
  });
  afterAll(async () => {
    for (const socket of sockets) socket.close();
    await Promise.all([stop(first), stop(second)]);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('messages, typing and presence cross; a killed process takes its users offline', { timeout: 60_000 }, async () => {
    const alice = await signUp(first.url, `alice${process.pid}`);
    const bob = await signUp(second.url, `bob${process.pid}`);
    const thread = await http(`${first.url}/api/chat/threads/`, { token: alice.token, body: { title: 'across' } });
    // On failure, say what the projections did (a known intermittent 503 here is not diagnosed yet).
    const diagnosis = async () =>
      JSON.stringify({
        body: thread.body,
        readyz: [(await http(`${first.url}/readyz`)).body, (await http(`${second.url}/readyz`)).body],
        warnings: [...first.logs, ...second.logs].filter((entry) => Number(entry.level) >= 40),
      });
    expect(thread.status, thread.status === 201 ? '' : await diagnosis()).toBe(201);
    const threadId = thread.body!.id as string;
    expect((await http(`${second.url}/api/chat/threads/${threadId}/join/`, { token: bob.token, body: {} })).status).toBe(200);

    const onFirst = await connectReady(first.url, threadId, { token: alice.token });
    sockets.push(onFirst);
    const onSecond = await connectReady(second.url, threadId, { token: bob.token });
    sockets.push(onSecond);

    // Presence: each side sees the user connected to the other process.
    expect((await onFirst.waitForType('presence_joined')).payload.user).toEqual({ id: bob.id, username: bob.username });
    // Alice is in bob's initial list, or joins it right after when her signal reached process 2 after bob's ready.
    const seesAlice = (f: Frame) =>
      (f.type === 'presence' && f.payload.users.some((u: { id: string }) => u.id === alice.id)) ||
      (f.type === 'presence_joined' && f.payload.user.id === alice.id);
    await eventually(() => (onSecond.frames.some(seesAlice) ? true : undefined));
    const listed = await http(`${first.url}/api/chat/threads/${threadId}/presence/`, { token: alice.token });
    expect(listed.body!.users.map((u: { id: string }) => u.id).sort()).toEqual([alice.id, bob.id].sort());

    // A message posted through process 2 reaches a socket on process 1.
    const posted = await http(`${second.url}/api/chat/messages/`, { token: bob.token, body: { thread: threadId, content: 'from the other process' } });
    expect(posted.status).toBe(201);
    const frame = await onFirst.waitForType('chat_message');
    expect(frame.payload).toEqual({
      id: posted.body!.id,
      thread: threadId,
      author: { id: bob.id, username: bob.username, email: `${bob.username}@example.com` },
      content: 'from the other process',
      created_at: posted.body!.created_at,
      seq: posted.body!.seq,
    });

    // Typing on process 2 reaches process 1, and never the other way back to its sender.
    onSecond.send({ type: 'typing', is_typing: true });
    expect((await onFirst.waitForType('chat_typing')).payload).toEqual({ user_id: bob.id, is_typing: true });
    onFirst.send({ type: 'typing', is_typing: true });
    expect((await onSecond.waitForType('chat_typing')).payload).toEqual({ user_id: alice.id, is_typing: true });

    // Process 2 dies without a word: its users leave process 1's presence once its heartbeats stop (TTL 1 s).
    second.child.kill('SIGKILL');
    await second.exited;
    const left = await onFirst.waitForType('presence_left', { timeoutMs: 15_000 });
    expect(left.payload.user).toEqual({ id: bob.id, username: bob.username });
    const after = await http(`${first.url}/api/chat/threads/${threadId}/presence/`, { token: alice.token });
    expect(after.body).toEqual({ users: [{ id: alice.id, username: alice.username }] });
  });
});

describe('graceful shutdown', () => {
  it('SIGTERM closes sockets with 1001 and the process exits cleanly', { timeout: 60_000 }, async () => {
    const dataDir = tempDir();
    const server = await startServerProcess(dataDir);
    try {
      const user = await signUp(server.url, `term${process.pid}`);
      const thread = await http(`${server.url}/api/chat/threads/`, { token: user.token, body: { title: 'bye' } });
      const sockets = await Promise.all([1, 2].map(() => connectReady(server.url, thread.body!.id as string, { token: user.token })));
      server.child.kill('SIGTERM');
      for (const socket of sockets) expect(await socket.closed).toEqual({ code: 1001, reason: 'server shutting down' });
      expect(await server.exited).toEqual({ code: 0, signal: null });
    } finally {
      await stop(server);
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
