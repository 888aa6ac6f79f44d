import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { handleCommand } from '../../src/commands/handleCommand.js';
import { threadDecider, threadStream } from '../../src/domain/thread.js';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';
import { post, threadWith } from './fixtures.js';
import { connect, connectReady, eventually, type Frame, type TestSocket } from './wsClient.js';

let t: TestApp;
let owner: TestUser;
let member: TestUser;
const sockets: TestSocket[] = [];
const track = (socket: TestSocket) => (sockets.push(socket), socket);
const open = (user: TestUser, threadId: string, afterSeq?: number) => track(connect(t.server.url, threadId, { token: user.token, afterSeq }));
const ready = async (user: TestUser, threadId: string, afterSeq?: number) =>
  track(await connectReady(t.server.url, threadId, { token: user.token, afterSeq }));
const seqs = (frames: Frame[]) => frames.filter((f) => f.type === 'chat_message').map((f) => f.payload.seq as number);
const postedSeqsAfter = async (threadId: string, after: number) =>
  (await t.server.services.store.readStream(threadStream(threadId)))
    .filter((e) => e.type === 'MessagePosted' && e.revision > after)
    .map((e) => e.revision);
/** A ping's pong comes after everything the server sent before it: a barrier for "nothing else arrived". */
const barrier = async (socket: TestSocket) => {
  const from = socket.frames.length;
  socket.send({ type: 'ping' });
  await socket.waitForType('pong', { from });
};

beforeAll(async () => {
  t = await startTestApp({ RATE_POSTS_PER_SECOND: '100000', RATE_POSTS_BURST: '100000', TYPING_TIMEOUT_MS: '60000' });
  [owner, member] = [await t.user(), await t.user()];
});
afterEach(() => {
  for (const socket of sockets.splice(0)) socket.close();
});
afterAll(() => t.close());

describe('starting live', () => {
  it('without after_seq, sends nothing old: ready with the stream head, then live messages', async () => {
    const threadId = await threadWith(t, owner, [member]);
    await post(t, owner, threadId, 'before');
    const head = (await t.server.services.store.readStream(threadStream(threadId))).at(-1)!.revision;
    const socket = await ready(member, threadId);
    expect(socket.frames[0]).toEqual({ type: 'ready', payload: { last_seq: head } });
    expect(socket.frames[1]).toEqual({ type: 'presence', payload: { users: [{ id: member.id, username: member.username }] } });
    const posted = await post(t, owner, threadId, 'after');
    expect((await socket.waitForType('chat_message')).payload.content).toBe('after');
    expect(posted.seq).toBe(head + 1);
  });

  it('sockets of one thread on one node share one store subscription, renewed after the last one closes', async () => {
    const threadId = await threadWith(t, owner, [member]);
    const store = t.server.services.store;
    const subscribe = vi.spyOn(store, 'subscribeToStream');
    try {
      const calls = () => subscribe.mock.calls.filter(([stream]) => stream === threadStream(threadId)).length;
      const first = await Promise.all([ready(owner, threadId), ready(member, threadId), ready(member, threadId)]);
      expect(calls()).toBe(1);
      await post(t, owner, threadId, 'to all three');
      for (const socket of first) await socket.waitForType('chat_message');
      for (const socket of first) socket.close();
      await Promise.all(first.map((s) => s.closed));
      // Closing is asynchronous on the server too: a new socket may still find the old stream for a moment.
      await eventually(async () => {
        const socket = await ready(owner, threadId);
        socket.close();
        return calls() === 2 ? true : undefined;
      });
    } finally {
      subscribe.mockRestore();
    }
  });
});

describe('resuming with after_seq', () => {
  it('delivers every message after it, then ready, then live: ordered, no gap, no duplicate, while posts go on', async () => {
    const threadId = await threadWith(t, owner, [member]);
    for (let i = 0; i < 450; i++) await post(t, owner, threadId, `backlog ${i}`);
    // From the very start, from inside the first and second catch-up pages, and from the head.
    const head = (await t.server.services.store.readStream(threadStream(threadId))).at(-1)!.revision;
    const resumeFrom = [0, 100, 300, head];
    // A store that answers reads slowly, as a networked one does: catch-ups now span
    // many polls of the log, so live messages arrive while they run.
    const store = t.server.services.store;
    const readStream = store.readStream.bind(store);
    const slowReads = vi.spyOn(store, 'readStream').mockImplementation(async (stream, options) => {
      await new Promise((resolve) => setTimeout(resolve, 25));
      return readStream(stream, options);
    });
    let posting = true;
    const poster = (async () => {
      for (let i = 0; i < 60; i++) await post(t, member, threadId, `during ${i}`);
      posting = false;
    })();
    // Sockets resume at different moments of the concurrent posting.
    const resumed: { socket: TestSocket; after: number }[] = [];
    for (const after of resumeFrom) {
      resumed.push({ socket: open(owner, threadId, after), after });
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    await poster.finally(() => slowReads.mockRestore());
    expect(posting).toBe(false);
    const last = (await t.server.services.store.readStream(threadStream(threadId))).at(-1)!.revision;
    for (const { socket, after } of resumed) {
      await socket.waitFor((f) => f.type === 'chat_message' && f.payload.seq === last);
      const readyAt = socket.frames.findIndex((f) => f.type === 'ready');
      expect(readyAt).toBeGreaterThanOrEqual(0);
      expect(seqs(socket.frames)).toEqual(await postedSeqsAfter(threadId, after));
      expect(socket.frames[readyAt]!.payload.last_seq).toBe(Math.max(after, ...seqs(socket.frames.slice(0, readyAt))));
      expect(socket.ofType('ready')).toHaveLength(1);
    }
  });

  it('an after_seq beyond the stream starts live', async () => {
    const threadId = await threadWith(t, owner, [member]);
    const socket = await ready(member, threadId, 10_000);
    const posted = await post(t, owner, threadId, 'now');
    expect((await socket.waitForType('chat_message')).payload.seq).toBe(posted.seq);
    expect(socket.ofType('ready')[0]!.payload.last_seq).toBeLessThan(posted.seq);
  });
});

describe('membership and moderation frames', () => {
  it('member_joined and member_left reach members; the member who leaves is closed with 1000', async () => {
    const threadId = await threadWith(t, owner, [member]);
    const watcher = await ready(owner, threadId);
    const leaver = await ready(member, threadId);
    const newcomer = await t.user();
    await t.request({ method: 'POST', url: `/api/chat/threads/${threadId}/join/`, as: newcomer });
    expect((await watcher.waitForType('member_joined')).payload).toMatchObject({
      thread: threadId,
      user: { id: newcomer.id, username: newcomer.username },
      role: 'member',
    });
    await t.request({ method: 'POST', url: `/api/chat/threads/${threadId}/leave/`, as: member });
    expect((await leaver.waitForType('member_left')).payload.user.id).toBe(member.id);
    expect(await leaver.closed).toEqual({ code: 1000, reason: 'you left the thread' });
    expect((await watcher.waitForType('member_left')).payload.user).toEqual({ id: member.id, username: member.username });
  });

  it('a member removed while connected gets member_removed and is closed with 4403', async () => {
    const threadId = await threadWith(t, owner, [member]);
    const watcher = await ready(owner, threadId);
    const removed = await ready(member, threadId);
    const res = await t.request({ method: 'DELETE', url: `/api/chat/threads/${threadId}/members/${member.id}/`, as: owner });
    expect(res.statusCode, res.body).toBe(200);
    expect((await removed.waitForType('member_removed')).payload).toMatchObject({ user: { id: member.id }, by: owner.id });
    expect(await removed.closed).toEqual({ code: 4403, reason: 'removed from the thread' });
    await watcher.waitForType('member_removed');
    // And cannot come back.
    expect((await open(member, threadId).closed).code).toBe(4403);
  });

  it('a redaction arrives without the content, and a resume never replays redacted text', async () => {
    const threadId = await threadWith(t, owner, [member]);
    const live = await ready(member, threadId);
    const posted = await post(t, member, threadId, 'regrettable');
    await live.waitForType('chat_message');
    await handleCommand(
      t.server.services.commands,
      threadStream(threadId),
      threadDecider,
      { type: 'RedactMessage', data: { threadId, messageId: posted.id, by: owner.id, reason: 'spam', byGlobalModerator: false } },
      { actorId: owner.id, correlationId: crypto.randomUUID(), now: new Date() },
    );
    const redacted = await live.waitForType('message_redacted');
    expect(redacted.payload).toEqual({ id: posted.id, thread: threadId, redacted_by: owner.id, redacted_at: expect.any(String), seq: posted.seq + 1 });
    expect(JSON.stringify(redacted)).not.toContain('regrettable');

    const resumed = await ready(owner, threadId, posted.seq - 1);
    const replayed = resumed.ofType('chat_message');
    expect(replayed).toHaveLength(1);
    expect(replayed[0]!.payload).toMatchObject({ id: posted.id, content: null, redacted: true, seq: posted.seq });
    expect(JSON.stringify(resumed.frames)).not.toContain('regrettable');
  });
});

describe('typing', () => {
  it('a socket that closes while typing stops typing for the others', async () => {
    const threadId = await threadWith(t, owner, [member]);
    const typist = await ready(owner, threadId);
    const reader = await ready(member, threadId);
    typist.send({ type: 'typing', is_typing: true });
    await reader.waitFor((f) => f.type === 'chat_typing' && f.payload.is_typing === true);
    typist.close();
    expect((await reader.waitFor((f) => f.type === 'chat_typing' && f.payload.is_typing === false)).payload.user_id).toBe(owner.id);
  });

  it('never enters the log', async () => {
    const threadId = await threadWith(t, owner, [member]);
    const before = await t.server.services.store.headPosition();
    const typist = await ready(owner, threadId);
    const reader = await ready(member, threadId);
    typist.send({ type: 'typing', is_typing: true });
    await reader.waitForType('chat_typing');
    expect(await t.server.services.store.headPosition()).toBe(before);
  });

  it('a socket that keeps flooding after the warning is closed with 1008', async () => {
    const threadId = await threadWith(t, owner);
    const flooder = await ready(owner, threadId);
    for (let i = 0; i < 40; i++) flooder.send({ type: 'typing', is_typing: true });
    expect(await flooder.closed).toEqual({ code: 1008, reason: 'rate limit exceeded' });
    expect(flooder.ofType('error').map((f) => f.payload.code)).toContain('rate_limited');
  });
});

describe('typing expiry', () => {
  let quick: TestApp;
  beforeAll(async () => {
    quick = await startTestApp({ TYPING_TIMEOUT_MS: '300' });
  });
  afterAll(() => quick.close());

  it('turns itself off for the others when not refreshed', async () => {
    const [a, b] = [await quick.user(), await quick.user()];
    const threadId = await threadWith(quick, a, [b]);
    const typist = track(await connectReady(quick.server.url, threadId, { token: a.token }));
    const reader = track(await connectReady(quick.server.url, threadId, { token: b.token }));
    typist.send({ type: 'typing', is_typing: true });
    await reader.waitFor((f) => f.type === 'chat_typing' && f.payload.is_typing === true);
    const off = await reader.waitFor((f) => f.type === 'chat_typing' && f.payload.is_typing === false);
    expect(off.payload.user_id).toBe(a.id);
    expect(typist.ws.readyState).toBe(typist.ws.OPEN);
  });
});

describe('presence', () => {
  it('a socket gets the list after ready, then joins and leaves; two tabs are one presence', async () => {
    const threadId = await threadWith(t, owner, [member]);
    const watcher = await ready(owner, threadId);
    expect(watcher.ofType('presence')[0]!.payload.users).toEqual([{ id: owner.id, username: owner.username }]);

    const tab1 = await ready(member, threadId);
    expect((await watcher.waitForType('presence_joined')).payload).toEqual({ user: { id: member.id, username: member.username } });
    expect(tab1.ofType('presence')[0]!.payload.users.map((u: { id: string }) => u.id).sort()).toEqual([owner.id, member.id].sort());
    const tab2 = await ready(member, threadId);
    tab1.close();
    await barrier(watcher);
    expect(watcher.ofType('presence_joined')).toHaveLength(1);
    expect(watcher.ofType('presence_left')).toHaveLength(0);

    const presence = await t.request({ method: 'GET', url: `/api/chat/threads/${threadId}/presence/`, as: owner });
    expect(presence.json().users.map((u: { id: string }) => u.id).sort()).toEqual([owner.id, member.id].sort());

    tab2.close();
    expect((await watcher.waitForType('presence_left')).payload).toEqual({ user: { id: member.id, username: member.username } });
    // Read models lag the log by a batch: the member's join is in them once they reach the head.
    const head = await t.server.services.store.headPosition();
    const after = await t.request({ method: 'GET', url: `/api/chat/threads/${threadId}/presence/?min_position=${head}`, as: member });
    expect(after.json()).toEqual({ users: [{ id: owner.id, username: owner.username }] });
  });

  it('the REST list is for members only', async () => {
    const threadId = await threadWith(t, owner);
    const outsider = await t.user();
    expect((await t.request({ method: 'GET', url: `/api/chat/threads/${threadId}/presence`, as: outsider })).statusCode).toBe(403);
    expect((await t.request({ method: 'GET', url: `/api/chat/threads/nope/presence`, as: owner })).statusCode).toBe(404);
    expect((await t.request({ method: 'GET', url: `/api/chat/threads/${threadId}/presence` })).statusCode).toBe(401);
  });
});

describe('slow consumers', () => {
  let small: TestApp;
  beforeAll(async () => {
    small = await startTestApp({ WS_MAX_BUFFERED_BYTES: '65536', RATE_POSTS_PER_SECOND: '100000', RATE_POSTS_BURST: '100000' });
  });
  afterAll(() => small.close());

  it('a socket that stops reading is closed with 1013; the others get everything', async () => {
    const [slowUser, fastUser] = [await small.user(), await small.user()];
    const threadId = await threadWith(small, slowUser, [fastUser]);
    const slow = track(await connectReady(small.server.url, threadId, { token: slowUser.token }));
    const fast = track(await connectReady(small.server.url, threadId, { token: fastUser.token }));
    await fast.waitFor((f) => f.type === 'presence' || f.type === 'presence_joined');
    slow.ws.pause();
    const big = '🙂'.repeat(4000);
    let posted = 0;
    // Kernel buffers absorb a few MB first: post until the server gives up on the slow socket.
    const slowGone = () => fast.frames.some((f) => f.type === 'presence_left' && f.payload.user.id === slowUser.id);
    while (!slowGone() && posted < 3000) {
      await post(small, fastUser, threadId, big);
      posted++;
    }
    expect(slowGone()).toBe(true);
    await fast.until(() => (fast.ofType('chat_message').length === posted ? true : undefined), 30_000);
    slow.ws.resume();
    expect(await slow.closed).toEqual({ code: 1013, reason: 'slow consumer' });
    expect(slow.ofType('chat_message').length).toBeLessThan(posted);
  });
});
