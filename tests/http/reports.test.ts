import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';

let t: TestApp;
let author: TestUser;
let reporter: TestUser;
let message: { id: string; position: number };

beforeAll(async () => {
  t = await startTestApp();
  author = await t.user();
  reporter = await t.user();
  const thread = (await t.request({ method: 'POST', url: '/api/chat/threads/', as: author, payload: { title: 'r' } })).json();
  await t.request({ method: 'POST', url: `/api/chat/threads/${thread.id}/join/`, as: reporter });
  message = (await t.request({ method: 'POST', url: '/api/chat/messages/', as: author, payload: { thread: thread.id, content: 'rude' } })).json();
});
afterAll(() => t.close());

const report = (as: TestUser, payload: object) =>
  t.request({ method: 'POST', url: '/api/chat/reports/', as, payload: { min_position: message.position, ...payload } });

describe('reporting a message', () => {
  it('a member reports once: 201 pending, then 409', async () => {
    const first = await report(reporter, { message: message.id, reason: '  offensive  ' });
    expect(first.statusCode).toBe(201);
    expect(first.json()).toMatchObject({ message: { id: message.id }, reason: 'offensive', status: 'pending' });
    const second = await report(reporter, { message: message.id, reason: 'again' });
    expect(second.statusCode).toBe(409);
    expect(second.json().error.code).toBe('already_reported');
  });

  it('a non-member cannot report; an unknown message is 404; a reason is required', async () => {
    const outsider = await t.user();
    expect((await report(outsider, { message: message.id, reason: 'x' })).statusCode).toBe(403);
    expect((await report(author, { message: 'no-such-message', reason: 'x' })).statusCode).toBe(404);
    expect((await report(author, { message: message.id, reason: '   ' })).json().error.code).toBe('invalid_reason');
  });

  it('the reporter sees their own reports; the queue is for moderators only', async () => {
    const mine = await t.request({ method: 'GET', url: `/api/chat/reports/?mine=true&min_position=${message.position}`, as: reporter });
    expect(mine.statusCode).toBe(200);
    expect(mine.json().results.every((r: { reporter: { id: string } }) => r.reporter.id === reporter.id)).toBe(true);
    expect(mine.json().results.length).toBeGreaterThan(0);
    expect((await t.request({ method: 'GET', url: '/api/chat/reports/', as: reporter })).statusCode).toBe(403);
  });
});
