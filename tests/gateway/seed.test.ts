import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';
import { post, threadWith } from './fixtures.js';
import { connect, connectReady, type TestSocket } from './wsClient.js';

// The seed's backend WebSocket tests, by name, against a real listening server.
let t: TestApp;
let owner: TestUser;
let member: TestUser;
let outsider: TestUser;
let threadId: string;
const sockets: TestSocket[] = [];
const open = (user: TestUser | null, thread = threadId) => {
  const socket = connect(t.server.url, thread, user ? { token: user.token } : {});
  sockets.push(socket);
  return socket;
};

beforeAll(async () => {
  t = await startTestApp({ RATE_POSTS_PER_SECOND: '1', RATE_POSTS_BURST: '3' });
  [owner, member, outsider] = [await t.user(), await t.user(), await t.user()];
  threadId = await threadWith(t, owner, [member]);
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(() => t.close());

describe('test_chat_consumer', () => {
  it('test_anon_close_4401', async () => {
    const socket = open(null);
    expect(await socket.closed).toEqual({ code: 4401, reason: 'authentication required' });
  });

  it('test_authenticated_user_connects', async () => {
    const socket = open(owner);
    await socket.opened;
    const ready = await socket.waitForType('ready');
    expect(Number.isInteger(ready.payload.last_seq)).toBe(true);
  });

  it('test_non_member_close_4403', async () => {
    const socket = open(outsider);
    expect(await socket.closed).toEqual({ code: 4403, reason: 'not a member of this thread' });
  });

  it('test_member_can_connect', async () => {
    const socket = open(member);
    await socket.waitForType('ready');
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });

  it('test_member_after_joining', async () => {
    const newcomer = await t.user();
    expect((await open(newcomer).closed).code).toBe(4403);
    const joined = await t.request({ method: 'POST', url: `/api/chat/threads/${threadId}/join/`, as: newcomer });
    expect(joined.statusCode).toBe(200);
    await open(newcomer).waitForType('ready');
  });

  it('test_ping_pong', async () => {
    const socket = open(member);
    await socket.opened;
    socket.send({ type: 'ping' });
    expect(await socket.waitForType('pong')).toEqual({ type: 'pong' });
  });

  it('test_typing_indicator_sent', async () => {
    const typist = open(owner);
    const reader = open(member);
    await Promise.all([typist.waitForType('ready'), reader.waitForType('ready')]);
    typist.send({ type: 'typing', is_typing: true });
    const typing = await reader.waitForType('chat_typing');
    expect(typing).toEqual({ type: 'chat_typing', payload: { user_id: owner.id, is_typing: true } });
  });

  it('test_typing_indicator_broadcast', async () => {
    const third = await t.user();
    await t.request({ method: 'POST', url: `/api/chat/threads/${threadId}/join/`, as: third });
    const [typist, first, second] = await Promise.all([
      connectReady(t.server.url, threadId, { token: member.token }),
      connectReady(t.server.url, threadId, { token: owner.token }),
      connectReady(t.server.url, threadId, { token: third.token }),
    ]);
    sockets.push(typist, first, second);
    typist.send({ type: 'typing', is_typing: true });
    for (const other of [first, second]) {
      expect((await other.waitForType('chat_typing')).payload).toEqual({ user_id: member.id, is_typing: true });
    }
    // Not echoed: a ping sent after the typing frame is answered after it would have been.
    typist.send({ type: 'ping' });
    await typist.waitForType('pong');
    expect(typist.ofType('chat_typing')).toEqual([]);
  });

  it('test_receive_chat_message', async () => {
    const reader = open(member);
    await reader.waitForType('ready');
    const posted = await post(t, owner, threadId, 'Mon message');
    const frame = await reader.waitForType('chat_message');
    expect(frame).toEqual({
      type: 'chat_message',
      payload: {
        id: posted.id,
        thread: threadId,
        author: { id: owner.id, username: owner.username, email: owner.email },
        content: 'Mon message',
        created_at: posted.created_at,
        seq: posted.seq,
      },
    });
  });
});

describe('test_chat_rate_limit', () => {
  it('test_rate_limit_messages', async () => {
    const statuses: number[] = [];
    let limited;
    for (let i = 0; i < 10 && !limited; i++) {
      const res = await t.request({ method: 'POST', url: '/api/chat/messages/', as: member, payload: { thread: threadId, content: `m${i}` } });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) limited = res;
    }
    expect(statuses.slice(0, 3)).toEqual([201, 201, 201]);
    expect(limited, `statuses: ${statuses.join(',')}`).toBeDefined();
    expect(Number(limited!.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    expect(limited!.json()).toEqual({ error: { code: 'rate_limited', message: expect.any(String) } });
    // The limit is per user: someone else still posts.
    await post(t, owner, threadId, 'still allowed');
  });

  it('test_rate_limit_typing', async () => {
    const typist = open(owner);
    const reader = open(member);
    await Promise.all([typist.waitForType('ready'), reader.waitForType('ready')]);
    for (let i = 0; i < 8; i++) typist.send({ type: 'typing', is_typing: i % 2 === 0 });
    const error = await typist.waitForType('error');
    expect(error.payload).toMatchObject({ code: 'rate_limited', message: expect.any(String) });
    expect(error.payload.retry_after_ms).toBeGreaterThan(0);
    // Warned, not closed: the socket still answers, and what passed the limit reached the others.
    typist.send({ type: 'ping' });
    await typist.waitForType('pong');
    await reader.waitForType('chat_typing');
    expect(typist.ws.readyState).toBe(typist.ws.OPEN);
  });
});
