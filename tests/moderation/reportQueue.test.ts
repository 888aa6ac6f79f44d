import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';
import { world } from './world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
let owner: TestUser;
let author: TestUser;
let alice: TestUser;
let bob: TestUser;
let moderator: TestUser;
let threadA: string;
let threadB: string;

interface Report {
  id: string;
  status: string;
  reporter: { id: string; username: string };
  message: { id: string; thread: string; content: string | null };
  created_at: string;
  report_count_for_message: number;
  reviewed_by?: string;
}
const queue = async (as: TestUser, query: string) => {
  const res = await w.call('GET', `/api/chat/reports/?${query}`, as);
  expect(res.statusCode).toBe(200);
  return res.json() as { results: Report[]; next_cursor: string | null };
};

beforeAll(async () => {
  t = await startTestApp();
  w = world(t);
  [owner, author, alice, bob, moderator] = await Promise.all([t.user(), t.user(), t.user(), t.user(), t.user()]);
  await w.grant(moderator, 'moderator');
  threadA = await w.thread(owner, { members: [author, alice, bob] });
  threadB = await w.thread(owner, { members: [author, alice, bob] });
});
afterAll(() => t.close());

describe('the report queue', () => {
  let reports: { id: string; position: number }[];
  let twice: { id: string; position: number };
  let head: number;

  beforeAll(async () => {
    twice = await w.post(author, threadA, 'reported twice');
    const once = await w.post(author, threadB, 'reported once');
    reports = [await w.report(alice, twice, 'spam'), await w.report(bob, twice, 'abuse'), await w.report(alice, once, 'off topic')];
    const reviewed = await w.call('PATCH', `/api/chat/reports/${reports[1]!.id}/?min_position=${reports[2]!.position}`, moderator, {
      status: 'reviewed',
    });
    head = reviewed.json().position;
  });

  it('shows pending reports by default, oldest first, in the documented shape', async () => {
    const page = await queue(moderator, `min_position=${head}`);
    expect(page.results.map((r) => r.id)).toEqual([reports[0]!.id, reports[2]!.id]);
    expect(page.next_cursor).toBeNull();
    const first = page.results[0]!;
    expect(first).toEqual({
      id: reports[0]!.id,
      message: {
        id: twice.id,
        thread: threadA,
        author: { id: author.id, username: author.username },
        content: 'reported twice',
        created_at: expect.any(String),
        redacted: false,
      },
      reason: 'spam',
      status: 'pending',
      reporter: { id: alice.id, username: alice.username },
      created_at: expect.any(String),
      report_count_for_message: 2,
    });
    expect(first.created_at <= page.results[1]!.created_at).toBe(true);
  });

  it('filters by status and thread; reviewed reports say who reviewed them', async () => {
    const reviewed = await queue(moderator, `status=reviewed&min_position=${head}`);
    expect(reviewed.results.map((r) => r.id)).toEqual([reports[1]!.id]);
    expect(reviewed.results[0]).toMatchObject({ reviewed_by: moderator.id, reviewed_at: expect.any(String), report_count_for_message: 2 });
    expect((await queue(moderator, `thread=${threadB}&min_position=${head}`)).results.map((r) => r.id)).toEqual([reports[2]!.id]);
    expect((await queue(moderator, `status=dismissed&min_position=${head}`)).results).toEqual([]);
  });

  it('thread owners see their thread’s queue with ?thread=', async () => {
    expect((await queue(owner, `thread=${threadA}&min_position=${head}`)).results.map((r) => r.id)).toEqual([reports[0]!.id]);
  });

  it('pages with its cursor: every pending report once, oldest first', async () => {
    const more = [];
    for (let i = 0; i < 5; i++) more.push(await w.report(bob, await w.post(author, threadB, `page ${i}`)));
    const minPosition = more[more.length - 1]!.position;
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await queue(moderator, `thread=${threadB}&limit=2&min_position=${minPosition}${cursor ? `&cursor=${cursor}` : ''}`);
      expect(page.results.length).toBeLessThanOrEqual(2);
      seen.push(...page.results.map((r) => r.id));
      cursor = page.next_cursor;
    } while (cursor);
    expect(seen).toEqual([reports[2]!.id, ...more.map((r) => r.id)]);
  });

  it('a reporter sees their own reports with ?mine=1, of every status, and nobody else’s', async () => {
    const mine = await queue(bob, `mine=1&min_position=${head}`);
    expect(mine.results.length).toBeGreaterThan(0);
    expect(mine.results.every((r) => r.reporter.id === bob.id)).toBe(true);
    expect(mine.results.map((r) => r.id)).toContain(reports[1]!.id);
    const aliceMine = await queue(alice, `mine=true&min_position=${head}`);
    expect(aliceMine.results.map((r) => r.id).sort()).toEqual([reports[0]!.id, reports[2]!.id].sort());
    // ?mine=1 stays the caller's own, whatever else is asked for.
    expect((await queue(alice, `mine=1&thread=${threadA}&status=reviewed`)).results).toEqual([]);
  });
});
