import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';

let t: TestApp;
let owner: TestUser;
let other: TestUser;
beforeAll(async () => {
  t = await startTestApp();
  owner = await t.user();
  other = await t.user();
});
afterAll(() => t.close());

async function createThread(as: TestUser, title = 'General', visibility: 'public' | 'private' = 'public') {
  const res = await t.request({ method: 'POST', url: '/api/chat/threads/', payload: { title, visibility }, as });
  expect(res.statusCode).toBe(201);
  return res.json();
}

const get = (url: string, as: TestUser) => t.request({ method: 'GET', url, as });
const post = (url: string, as: TestUser, payload?: object) => t.request({ method: 'POST', url, as, payload: payload ?? {} });

describe('creating a thread', () => {
  it('answers 201 with the thread, its creator as owner and a position', async () => {
    const thread = await createThread(owner, '  Release planning  ');
    expect(thread).toMatchObject({
      title: 'Release planning',
      visibility: 'public',
      created_by: owner.id,
      member_count: 1,
      members: [{ user: { id: owner.id, username: owner.username }, role: 'owner' }],
    });
    expect(thread.position).toBeGreaterThan(0);
    expect(Date.parse(thread.created_at)).not.toBeNaN();
  });

  it('refuses an empty title and an unknown visibility', async () => {
    expect((await post('/api/chat/threads/', owner, { title: '   ' })).json().error.code).toBe('invalid_title');
    expect((await post('/api/chat/threads/', owner, { title: 'x', visibility: 'secret' })).statusCode).toBe(400);
  });

  it('requires a token', async () => {
    const res = await t.request({ method: 'POST', url: '/api/chat/threads/', payload: { title: 'x' } });
    expect(res.statusCode).toBe(401);
  });
});

describe('listing threads', () => {
  it('shows public threads and the caller’s private ones, newest activity first', async () => {
    const viewer = await t.user();
    const older = await createThread(owner, 'older public');
    const hidden = await createThread(owner, 'hidden private', 'private');
    const mine = await createThread(viewer, 'my private', 'private');
    const newer = await createThread(owner, 'newer public');
    const res = await get(`/api/chat/threads?min_position=${newer.position}`, viewer);
    expect(res.statusCode).toBe(200);
    const ids = res.json().map((th: { id: string }) => th.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(hidden.id);
    expect(ids.indexOf(newer.id)).toBeLessThan(ids.indexOf(older.id));
    const listedMine = res.json().find((th: { id: string }) => th.id === mine.id);
    expect(listedMine).toMatchObject({ is_member: true, role: 'owner' });
  });
});

describe('a public thread', () => {
  it('anyone joins; the join shows in the members list and count', async () => {
    const thread = await createThread(owner);
    const joined = await post(`/api/chat/threads/${thread.id}/join/`, other);
    expect(joined.statusCode).toBe(200);
    expect(joined.json()).toMatchObject({ thread: thread.id, user: other.id, role: 'member' });
    const detail = (await get(`/api/chat/threads/${thread.id}/?min_position=${joined.json().position}`, other)).json();
    expect(detail.member_count).toBe(2);
    expect(detail.members.map((m: { user: { id: string } }) => m.user.id)).toEqual([owner.id, other.id]);
  });

  it('a member leaves; the last owner cannot', async () => {
    const thread = await createThread(owner);
    await post(`/api/chat/threads/${thread.id}/join`, other);
    expect((await post(`/api/chat/threads/${thread.id}/leave`, other)).statusCode).toBe(200);
    const res = await post(`/api/chat/threads/${thread.id}/leave`, owner);
    expect(res.statusCode).toBe(409);
    expect(res.json().error.code).toBe('last_owner');
  });

  it('the owner removes a member and promotes another; a plain member can do neither', async () => {
    const thread = await createThread(owner);
    const third = await t.user();
    await post(`/api/chat/threads/${thread.id}/join`, other);
    await post(`/api/chat/threads/${thread.id}/join`, third);
    const denied = await t.request({ method: 'DELETE', url: `/api/chat/threads/${thread.id}/members/${third.id}/`, as: other });
    expect(denied.statusCode).toBe(403);
    const promoted = await t.request({
      method: 'PATCH',
      url: `/api/chat/threads/${thread.id}/members/${other.id}/`,
      as: owner,
      payload: { role: 'moderator' },
    });
    expect(promoted.statusCode).toBe(200);
    const removed = await t.request({ method: 'DELETE', url: `/api/chat/threads/${thread.id}/members/${third.id}/`, as: other });
    expect(removed.statusCode).toBe(200);
    const detail = (await get(`/api/chat/threads/${thread.id}?min_position=${removed.json().position}`, owner)).json();
    expect(detail.members.map((m: { user: { id: string }; role: string }) => [m.user.id, m.role])).toEqual([
      [owner.id, 'owner'],
      [other.id, 'moderator'],
    ]);
  });

  it('answers 404 for an unknown thread', async () => {
    expect((await get('/api/chat/threads/does-not-exist/', owner)).statusCode).toBe(404);
    expect((await post('/api/chat/threads/does-not-exist/join/', owner)).statusCode).toBe(404);
  });
});

describe('a private thread', () => {
  it('is 404 to outsiders, who cannot join it', async () => {
    const thread = await createThread(owner, 'secret', 'private');
    expect((await get(`/api/chat/threads/${thread.id}/`, other)).statusCode).toBe(404);
    expect((await post(`/api/chat/threads/${thread.id}/join/`, other)).statusCode).toBe(404);
  });

  it('is joined by invitation of the owner, by id or username; members cannot invite', async () => {
    const thread = await createThread(owner, 'secret', 'private');
    const byUsername = await post(`/api/chat/threads/${thread.id}/invite/`, owner, { user: other.username });
    expect(byUsername.statusCode).toBe(200);
    expect(byUsername.json()).toMatchObject({ user: other.id, role: 'member' });
    const third = await t.user();
    const denied = await post(`/api/chat/threads/${thread.id}/invite/`, other, { user: third.id });
    expect(denied.statusCode).toBe(403);
    const unknown = await post(`/api/chat/threads/${thread.id}/invite/`, owner, { user: 'no_such_user' });
    expect(unknown.statusCode).toBe(404);
    const visible = await get(`/api/chat/threads/${thread.id}/?min_position=${byUsername.json().position}`, other);
    expect(visible.statusCode).toBe(200);
  });
});
