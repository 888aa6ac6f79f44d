import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';
import { world } from './world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
const u = {} as Record<'owner' | 'threadMod' | 'member' | 'reporter' | 'outsider' | 'globalMod' | 'admin', TestUser>;
let publicThread: string;
let privateThread: string;
let privateMessage: { id: string; position: number };

beforeAll(async () => {
  t = await startTestApp();
  w = world(t);
  for (const name of ['owner', 'threadMod', 'member', 'reporter', 'outsider', 'globalMod', 'admin'] as const) u[name] = await t.user();
  await w.grant(u.globalMod, 'moderator');
  await w.grant(u.admin, 'admin');
  publicThread = await w.thread(u.owner, { members: [u.threadMod, u.member, u.reporter] });
  await w.promote(u.owner, publicThread, u.threadMod, 'moderator');
  privateThread = await w.thread(u.owner, { visibility: 'private', members: [u.member] });
  privateMessage = await w.post(u.member, privateThread, 'private words');
});
afterAll(() => t.close());

type Who = keyof typeof u;
const status = async (method: 'GET' | 'POST' | 'PATCH', url: string, who: Who | null, payload?: object) =>
  (await w.call(method, url, who ? u[who] : undefined, payload)).statusCode;

/** A fresh reported message in the public thread, so each reviewer has a pending report of their own. */
async function freshReport() {
  const message = await w.post(u.member, publicThread, 'reportable');
  return w.report(u.reporter, message);
}

describe('the report queue', () => {
  it('needs a token', async () => {
    expect(await status('GET', '/api/chat/reports/', null)).toBe(401);
  });

  it.each<[Who, number]>([
    ['member', 403],
    ['owner', 403],
    ['threadMod', 403],
    ['globalMod', 200],
    ['admin', 200],
  ])('across all threads: %s gets %i', async (who, expected) => {
    expect(await status('GET', '/api/chat/reports/', who)).toBe(expected);
  });

  it.each<[Who, number]>([
    ['owner', 200],
    ['threadMod', 200],
    ['globalMod', 200],
    ['member', 403],
    ['outsider', 403],
  ])('of one thread: %s gets %i', async (who, expected) => {
    expect(await status('GET', `/api/chat/reports/?thread=${publicThread}`, who)).toBe(expected);
  });

  it('of a private thread does not exist for outsiders (404)', async () => {
    expect(await status('GET', `/api/chat/reports/?thread=${privateThread}`, 'outsider')).toBe(404);
    expect(await status('GET', `/api/chat/reports/?thread=${privateThread}`, 'member')).toBe(403);
  });

  it('anyone sees their own reports with ?mine=1', async () => {
    expect(await status('GET', '/api/chat/reports/?mine=1', 'outsider')).toBe(200);
  });
});

describe('reviewing a report', () => {
  it('needs a token', async () => {
    const report = await freshReport();
    expect(await status('PATCH', `/api/chat/reports/${report.id}/?min_position=${report.position}`, null, { status: 'reviewed' })).toBe(401);
  });

  it.each<[Who, number]>([
    ['reporter', 403],
    ['member', 403],
    ['outsider', 403],
    ['owner', 200],
    ['threadMod', 200],
    ['globalMod', 200],
    ['admin', 200],
  ])('%s gets %i', async (who, expected) => {
    const report = await freshReport();
    expect(await status('PATCH', `/api/chat/reports/${report.id}/?min_position=${report.position}`, who, { status: 'dismissed' })).toBe(expected);
  });
});

describe('redacting a message', () => {
  const redact = async (who: Who | null, message: { id: string; position: number }) =>
    status('POST', `/api/chat/messages/${message.id}/redact/?min_position=${message.position}`, who, { reason: 'policy' });

  it('needs a token', async () => {
    expect(await redact(null, await w.post(u.member, publicThread, 'x'))).toBe(401);
  });

  it.each<[Who, number]>([
    ['reporter', 403],
    ['outsider', 403],
    ['member', 200],
    ['owner', 200],
    ['threadMod', 200],
    ['globalMod', 200],
    ['admin', 200],
  ])('of a message by member: %s gets %i', async (who, expected) => {
    expect(await redact(who, await w.post(u.member, publicThread, 'to redact'))).toBe(expected);
  });

  it('in a private thread: outsiders get 404, global moderators may', async () => {
    expect(await redact('outsider', privateMessage)).toBe(404);
    expect(await redact('globalMod', privateMessage)).toBe(200);
  });
});

describe.each([
  ['audit', 'audit/'],
  ['state', 'state/'],
])('the %s of a thread', (_name, path) => {
  it('needs a token', async () => {
    expect(await status('GET', `/api/moderation/threads/${publicThread}/${path}`, null)).toBe(401);
  });

  it.each<[Who, number]>([
    ['member', 403],
    ['outsider', 403],
    ['owner', 200],
    ['threadMod', 200],
    ['globalMod', 200],
    ['admin', 200],
  ])('of a public thread: %s gets %i', async (who, expected) => {
    expect(await status('GET', `/api/moderation/threads/${publicThread}/${path}`, who)).toBe(expected);
  });

  it('of a private thread: outsiders get 404, members 403, global moderators 200; an unknown thread is 404', async () => {
    expect(await status('GET', `/api/moderation/threads/${privateThread}/${path}`, 'outsider')).toBe(404);
    expect(await status('GET', `/api/moderation/threads/${privateThread}/${path}`, 'member')).toBe(403);
    expect(await status('GET', `/api/moderation/threads/${privateThread}/${path}`, 'globalMod')).toBe(200);
    expect(await status('GET', `/api/moderation/threads/${crypto.randomUUID()}/${path}`, 'globalMod')).toBe(404);
  });

  it('follows a thread role change at once: a demoted moderator loses access', async () => {
    const deputy = await t.user();
    await w.call('POST', `/api/chat/threads/${publicThread}/join/`, deputy);
    await w.promote(u.owner, publicThread, deputy, 'moderator');
    expect((await w.call('GET', `/api/moderation/threads/${publicThread}/${path}`, deputy)).statusCode).toBe(200);
    await w.promote(u.owner, publicThread, deputy, 'member');
    expect((await w.call('GET', `/api/moderation/threads/${publicThread}/${path}`, deputy)).statusCode).toBe(403);
  });
});

describe('a user’s activity', () => {
  it('needs a token', async () => {
    expect(await status('GET', `/api/moderation/users/${u.member.id}/activity/`, null)).toBe(401);
  });

  it.each<[Who, number]>([
    ['member', 403],
    ['owner', 403],
    ['threadMod', 403],
    ['globalMod', 200],
    ['admin', 200],
  ])('is for global moderators: %s gets %i', async (who, expected) => {
    expect(await status('GET', `/api/moderation/users/${u.member.id}/activity/`, who)).toBe(expected);
  });

  it('of an unknown user is 404', async () => {
    expect(await status('GET', `/api/moderation/users/${crypto.randomUUID()}/activity/`, 'admin')).toBe(404);
  });
});
