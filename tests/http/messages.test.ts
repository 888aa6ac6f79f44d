import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';

let t: TestApp;
let alice: TestUser;
let bob: TestUser;
let threadId: string;

beforeAll(async () => {
  t = await startTestApp();
  alice = await t.user();
  bob = await t.user();
  const thread = await t.request({ method: 'POST', url: '/api/chat/threads/', as: alice, payload: { title: 'chat' } });
  threadId = thread.json().id;
  await t.request({ method: 'POST', url: `/api/chat/threads/${threadId}/join/`, as: bob });
});
afterAll(() => t.close());

const post = (as: TestUser, content: string, extra: object = {}) =>
  t.request({ method: 'POST', url: '/api/chat/messages/', as, payload: { thread: threadId, content, ...extra } });
const history = (as: TestUser, query: string) => t.request({ method: 'GET', url: `/api/chat/messages/?thread=${threadId}&${query}`, as });

describe('posting a message', () => {
  it('answers 201 with the seed’s payload plus seq and position', async () => {
    const res = await post(alice, '  hello 👋 مرحبا 你好  ');
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      thread: threadId,
      author: { id: alice.id, username: alice.username, email: alice.email },
      content: 'hello 👋 مرحبا 你好',
    });
    expect(typeof body.id).toBe('string');
    expect(Number.isInteger(body.seq)).toBe(true);
    expect(body.position).toBeGreaterThan(0);
  });

  it('numbers messages by their position in the thread stream', async () => {
    const first = (await post(bob, 'one')).json();
    const second = (await post(bob, 'two')).json();
    expect(second.seq).toBe(first.seq + 1);
    expect(second.position).toBeGreaterThan(first.position);
  });

  it('refuses empty, whitespace-only and over-long content with 400', async () => {
    for (const content of ['', '   \n ', 'x'.repeat(4001)]) {
      const res = await post(alice, content);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('invalid_content');
    }
    expect((await post(alice, '🙂'.repeat(4000))).statusCode).toBe(201);
  });

  it('refuses non-members with 403 and unknown threads with 404', async () => {
    const outsider = await t.user();
    expect((await post(outsider, 'let me in')).statusCode).toBe(403);
    const res = await t.request({ method: 'POST', url: '/api/chat/messages/', as: alice, payload: { thread: 'nope', content: 'x' } });
    expect(res.statusCode).toBe(404);
  });

  it('a retry with the same client_message_id returns the original and appends nothing', async () => {
    const clientMessageId = crypto.randomUUID();
    const first = await post(alice, 'exactly once', { client_message_id: clientMessageId });
    const head = await t.server.services.store.headPosition();
    const retry = await post(alice, 'exactly once', { client_message_id: clientMessageId });
    expect(first.statusCode).toBe(201);
    expect(retry.statusCode).toBe(201);
    expect(retry.json()).toEqual(first.json());
    expect(await t.server.services.store.headPosition()).toBe(head);
    const page = (await history(alice, `min_position=${head}&limit=200`)).json();
    expect(page.results.filter((m: { content: string }) => m.content === 'exactly once')).toHaveLength(1);
  });

  it('concurrent retries of one client_message_id still make one message', async () => {
    const clientMessageId = crypto.randomUUID();
    const responses = await Promise.all(Array.from({ length: 5 }, () => post(bob, 'raced', { client_message_id: clientMessageId })));
    const ids = new Set(responses.map((r) => r.json().id));
    expect(responses.every((r) => r.statusCode === 201)).toBe(true);
    expect(ids.size).toBe(1);
  });

  it('a post with a client_message_id still gets a server-made, time-ordered id (UUIDv7)', async () => {
    // The id keys the log's unique index: a time-ordered id lands at its end, a derived (random) one on any page.
    const res = await post(alice, 'ordered', { client_message_id: crypto.randomUUID() });
    expect(res.statusCode).toBe(201);
    expect(res.json().id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('refuses a client_message_id that is not a UUID', async () => {
    const res = await post(alice, 'x', { client_message_id: 'not-a-uuid' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_client_message_id');
  });
});

describe('reading history', () => {
  it('a post is visible to the next read that passes its position (read-your-writes)', async () => {
    const posted = (await post(bob, 'read me right away')).json();
    const page = (await history(bob, `min_position=${posted.position}&limit=1`)).json();
    expect(page.results[0]).toMatchObject({ id: posted.id, content: 'read me right away', seq: posted.seq });
  });

  it('pages backwards with before_seq, oldest first within a page', async () => {
    const posted = [];
    for (let i = 0; i < 5; i++) posted.push((await post(alice, `page ${i}`)).json());
    const last = posted[4];
    const newest = (await history(alice, `min_position=${last.position}&limit=2`)).json();
    expect(newest.results.map((m: { content: string }) => m.content)).toEqual(['page 3', 'page 4']);
    expect(newest.has_more).toBe(true);
    const before = (await history(alice, `before_seq=${newest.results[0].seq}&limit=2`)).json();
    expect(before.results.map((m: { content: string }) => m.content)).toEqual(['page 1', 'page 2']);
  });

  it('is for members only, and bounds limit to 200', async () => {
    const outsider = await t.user();
    expect((await history(outsider, 'limit=10')).statusCode).toBe(403);
    expect((await history(alice, 'limit=201')).statusCode).toBe(400);
    expect((await history(alice, 'limit=0')).statusCode).toBe(400);
  });

  it('answers 503 with a JSON body when the projections cannot reach min_position in time', async () => {
    const res = await history(alice, `min_position=${Number.MAX_SAFE_INTEGER}`);
    expect(res.statusCode).toBe(503);
    expect(res.json().error.code).toBe('projection_lagging');
  });
});
