import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApiKey, grantCapability, revokeApiKey } from '../../src/analytics/access.js';
import { redactMessage } from '../../src/commands/reports.js';
import { changeUserRole } from '../../src/commands/users.js';
import { EVENT_TYPES } from '../../src/domain/schemas.js';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';

let t: TestApp;
let analyst: TestUser;
let member: TestUser;
let admin: TestUser;
let threadId: string;
let otherThreadId: string;
let keptId: string;
let redactedId: string;

const operator = () => ({ actorId: 'operator:test', correlationId: crypto.randomUUID(), now: new Date() });
const feed = (url: string, headers: Record<string, string>) => t.request({ method: 'GET', url, headers });
const bearer = (user: TestUser) => ({ authorization: `Bearer ${user.token}` });
type Feed = { events: { position: number; stream: string; type: string; schema_version: number; data: Record<string, unknown>; metadata: Record<string, unknown> }[]; next_position: number };

beforeAll(async () => {
  t = await startTestApp();
  const { commands } = t.server.services;
  analyst = await t.user();
  member = await t.user();
  admin = await t.user();
  await grantCapability(commands, analyst.id, 'analyst', operator());
  await changeUserRole(commands, { userId: admin.id, role: 'admin' }, operator());
  const post = (thread: string, content: string) =>
    t.request({ method: 'POST', url: '/api/chat/messages/', as: member, payload: { thread, content } });
  threadId = (await t.request({ method: 'POST', url: '/api/chat/threads/', as: member, payload: { title: 'one', visibility: 'public' } })).json().id;
  otherThreadId = (await t.request({ method: 'POST', url: '/api/chat/threads/', as: member, payload: { title: 'two', visibility: 'private' } })).json().id;
  keptId = (await post(threadId, 'kept text')).json().id;
  redactedId = (await post(threadId, 'secret text that was redacted')).json().id;
  await post(otherThreadId, 'elsewhere');
  await redactMessage(commands, { threadId, messageId: redactedId, reason: 'oops' }, { ...operator(), actorId: member.id, globalRole: 'member' });
  await t.server.services.store.publishEphemeral(`typing-${threadId}`, { user_id: member.id, is_typing: true });
});

afterAll(() => t.close());

describe('who may read the feed', () => {
  it('answers 401 without credentials and with a bad token or key', async () => {
    expect((await feed('/api/events/', {})).statusCode).toBe(401);
    expect((await feed('/api/events/', { authorization: 'Bearer nonsense' })).statusCode).toBe(401);
    expect((await feed('/api/events/', { 'x-api-key': 'tlk_0000000000000000_' + 'a'.repeat(43) })).statusCode).toBe(401);
    expect((await feed('/api/events/stream', {})).statusCode).toBe(401);
  });

  it('answers 403 to a signed-in member without the analyst capability', async () => {
    const res = await feed('/api/events/', bearer(member));
    expect(res.statusCode).toBe(403);
    expect(res.json().error.code).toBe('not_an_analyst');
    expect((await feed('/api/events/stream', bearer(member))).statusCode).toBe(403);
  });

  it('lets analysts and admins in', async () => {
    expect((await feed('/api/events/', bearer(analyst))).statusCode).toBe(200);
    expect((await feed('/api/events/', bearer(admin))).statusCode).toBe(200);
  });

  it('accepts an API key until it is revoked', async () => {
    const { commands } = t.server.services;
    const { key, keyId } = await createApiKey(commands, { name: 'warehouse', scopes: ['events:read'] }, operator());
    expect((await feed('/api/events/', { 'x-api-key': key })).statusCode).toBe(200);
    // Same id, wrong secret.
    expect((await feed('/api/events/', { 'x-api-key': key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A') })).statusCode).toBe(401);
    await revokeApiKey(commands, keyId, operator());
    expect((await feed('/api/events/', { 'x-api-key': key })).statusCode).toBe(401);
  });
});

describe('what the feed holds', () => {
  let all: Feed;
  beforeAll(async () => {
    all = (await feed('/api/events/?limit=1000', bearer(analyst))).json();
  });

  it('has every event of the log in order, in the documented envelope', async () => {
    const log = await t.server.services.store.readAll();
    const inFeed = log.filter((e) => e.type !== 'UsernameReserved');
    expect(all.events.map((e) => e.position)).toEqual(inFeed.map((e) => e.position));
    expect(all.next_position).toBe(log.at(-1)!.position);
    const first = all.events[0]!;
    expect(Object.keys(first).sort()).toEqual(['data', 'metadata', 'occurred_at', 'position', 'schema_version', 'stream', 'type']);
    expect(first.schema_version).toBe(1);
    expect(Object.keys(first.metadata).sort()).toEqual(['actorId', 'causationId', 'correlationId']);
  });

  it('carries no email, password hash, username or key hash anywhere', async () => {
    const text = JSON.stringify(all);
    for (const user of [analyst, member, admin]) {
      expect(text).not.toContain(user.email);
      expect(text).not.toContain(user.username);
    }
    expect(text).not.toMatch(/passwordHash|scrypt|secretHash/);
    const registered = all.events.filter((e) => e.type === 'UserRegistered');
    expect(registered.map((e) => e.data.userId)).toEqual(expect.arrayContaining([analyst.id, member.id, admin.id]));
    for (const event of registered) expect(Object.keys(event.data).sort()).toEqual(['role', 'userId']);
  });

  it('keeps a redacted message in place with its content removed, followed by its MessageRedacted', async () => {
    const posted = all.events.find((e) => e.type === 'MessagePosted' && e.data.messageId === redactedId)!;
    expect(posted.data.content).toBeNull();
    expect(JSON.stringify(all)).not.toContain('secret text that was redacted');
    const redaction = all.events.find((e) => e.type === 'MessageRedacted' && e.data.messageId === redactedId)!;
    expect(redaction.position).toBeGreaterThan(posted.position);
    const kept = all.events.find((e) => e.type === 'MessagePosted' && e.data.messageId === keptId)!;
    expect(kept.data.content).toBe('kept text');
  });

  it('never holds typing signals, which are not in the log', async () => {
    for (const event of all.events) expect(EVENT_TYPES).toContain(event.type);
    expect(JSON.stringify(all)).not.toContain('is_typing');
  });
});

describe('reading it in pages', () => {
  it('pages are contiguous and stable: concatenated pages equal one big read', async () => {
    const whole: Feed = (await feed('/api/events/?limit=1000', bearer(analyst))).json();
    const pages: number[] = [];
    let from = 0;
    for (;;) {
      const page: Feed = (await feed(`/api/events/?from_position=${from}&limit=3`, bearer(analyst))).json();
      if (page.events.length === 0) break;
      expect(page.events.length).toBeLessThanOrEqual(3);
      pages.push(...page.events.map((e) => e.position));
      from = page.next_position;
    }
    expect(pages).toEqual(whole.events.map((e) => e.position));
    const again: Feed = (await feed('/api/events/?from_position=5&limit=4', bearer(analyst))).json();
    const once: Feed = (await feed('/api/events/?from_position=5&limit=4', bearer(analyst))).json();
    expect(again).toEqual(once);
    expect(again.events[0]!.position).toBeGreaterThan(5);
  });

  it('filters by type and by thread', async () => {
    const posts: Feed = (await feed('/api/events/?types=MessagePosted,MessageRedacted', bearer(analyst))).json();
    expect(new Set(posts.events.map((e) => e.type))).toEqual(new Set(['MessagePosted', 'MessageRedacted']));
    expect(posts.events.filter((e) => e.type === 'MessagePosted')).toHaveLength(3);
    const one: Feed = (await feed(`/api/events/?thread=${threadId}`, bearer(analyst))).json();
    expect(one.events.length).toBeGreaterThan(0);
    for (const event of one.events) expect(event.data.threadId).toBe(threadId);
    expect(one.events.map((e) => e.type)).toEqual(['ThreadCreated', 'MemberJoined', 'MessagePosted', 'MessagePosted', 'MessageRedacted']);
  });

  it('rejects a malformed query', async () => {
    expect((await feed('/api/events/?limit=0', bearer(analyst))).statusCode).toBe(400);
    expect((await feed('/api/events/?from_position=-1', bearer(analyst))).statusCode).toBe(400);
  });
});
