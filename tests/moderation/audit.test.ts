import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore, ReadStreamOptions } from '../../src/eventstore/eventStore.js';
import { threadAuditEvents } from '../../src/moderation/threadAudit.js';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';
import { world } from './world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
let owner: TestUser;
let member: TestUser;
let reporter: TestUser;
let moderator: TestUser;
let threadId: string;
let head: number;
const reportIds: string[] = [];

interface Entry {
  id: string;
  stream: string;
  seq: number;
  position: number;
  type: string;
  data: Record<string, unknown>;
  metadata: { actorId: string | null; actor_username: string | null; correlationId: string; causationId: string | null; occurredAt: string };
  thread?: string | null;
}

beforeAll(async () => {
  t = await startTestApp();
  w = world(t);
  [owner, member, reporter, moderator] = await Promise.all([t.user(), t.user(), t.user(), t.user()]);
  await w.grant(moderator, 'admin');
  threadId = await w.thread(owner, { title: 'audited', members: [member, reporter] });
  for (let i = 0; i < 6; i++) {
    const message = await w.post(i % 2 ? member : owner, threadId, `message ${i}`);
    if (i === 1 || i === 4) reportIds.push((await w.report(reporter, message, `reason ${i}`)).id);
  }
  const reviewed = await w.call('PATCH', `/api/chat/reports/${reportIds[0]}/`, owner, { status: 'dismissed', note: 'ok' });
  head = reviewed.json().position;
});
afterAll(() => t.close());

const auditPage = async (query: string) => {
  const res = await w.call('GET', `/api/moderation/threads/${threadId}/audit/?min_position=${head}&${query}`, moderator);
  expect(res.statusCode).toBe(200);
  return res.json() as { results: Entry[]; next_from_seq: number | null };
};

async function allPages(limit: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  let fromSeq: number | null = 0;
  while (fromSeq !== null) {
    const page = await auditPage(`from_seq=${fromSeq}&limit=${limit}`);
    entries.push(...page.results);
    fromSeq = page.next_from_seq;
  }
  return entries;
}

describe('the audit of a thread', () => {
  it('is every event of the thread stream in order, as recorded, with the report events of its messages merged in by position', async () => {
    const entries = (await auditPage('limit=500')).results;
    const threadEntries = entries.filter((e) => e.stream === `thread-${threadId}`);
    const recorded = await t.server.services.store.readStream(`thread-${threadId}`);
    expect(threadEntries.map((e) => [e.id, e.seq, e.position, e.type, e.data])).toEqual(recorded.map((e) => [e.id, e.revision, e.position, e.type, e.data]));
    expect(threadEntries[0]).toMatchObject({ seq: 0, type: 'ThreadCreated', metadata: { actorId: owner.id, actor_username: owner.username } });
    expect(entries.filter((e) => e.stream.startsWith('reports-')).map((e) => e.type)).toEqual(['MessageReported', 'MessageReported', 'ReportReviewed']);
    const positions = entries.map((e) => e.position);
    expect(positions).toEqual([...positions].sort((a, b) => a - b));
    const review = entries.find((e) => e.type === 'ReportReviewed')!;
    expect(review.metadata).toMatchObject({ actorId: owner.id, actor_username: owner.username });
    for (const entry of entries) expect(Object.keys(entry.metadata).sort()).toEqual(['actorId', 'actor_username', 'causationId', 'correlationId', 'occurredAt', 'schemaVersion']);
  });

  it('pages by from_seq and limit: the pages together are the whole audit, each event once', async () => {
    const whole = (await auditPage('limit=500')).results;
    for (const limit of [1, 2, 3, 5]) expect((await allPages(limit)).map((e) => e.id)).toEqual(whole.map((e) => e.id));
    const tail = await auditPage('from_seq=4&limit=2');
    expect(tail.results.filter((e) => e.stream === `thread-${threadId}`).map((e) => e.seq)).toEqual([4, 5]);
    expect(tail.next_from_seq).toBe(6);
    expect((await auditPage('from_seq=1000')).results).toEqual([]);
  });

  it('streams as NDJSON with Accept: application/x-ndjson, the same entries as the JSON pages', async () => {
    const whole = (await auditPage('limit=500')).results;
    const res = await fetch(`${t.server.url}/api/moderation/threads/${threadId}/audit/?min_position=${head}`, {
      headers: { authorization: `Bearer ${moderator.token}`, accept: 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^application\/x-ndjson/);
    expect(res.headers.get('x-audit-includes-redacted-content')).toBe('true');
    const lines = (await res.text()).split('\n');
    expect(lines.pop()).toBe('');
    expect(lines.map((line) => JSON.parse(line))).toEqual(whole);
  });

  it('the stream reads the store page by page, never the whole thread at once', async () => {
    const { store, readModels } = t.server.services;
    const reads: ReadStreamOptions[] = [];
    const counting: EventStore = Object.create(store, {
      readStream: {
        value: (stream: string, options: ReadStreamOptions = {}) => {
          if (stream === `thread-${threadId}`) reads.push(options);
          return store.readStream(stream, options);
        },
      },
    });
    const events = [];
    for await (const event of threadAuditEvents({ store: counting, readModels }, threadId, { fromSeq: 0, pageSize: 3 })) events.push(event);
    const threadEvents = events.filter((e) => e.stream === `thread-${threadId}`);
    expect(threadEvents.map((e) => e.revision)).toEqual(threadEvents.map((_, i) => i));
    expect(reads.length).toBeGreaterThan(3);
    for (const options of reads) expect(options.maxCount).toBeLessThanOrEqual(4);
    expect(events.filter((e) => e.stream.startsWith('reports-'))).toHaveLength(3);
  });
});

describe('a user’s activity', () => {
  const activity = async (user: TestUser, query = '') => {
    const res = await w.call('GET', `/api/moderation/users/${user.id}/activity/?min_position=${head}&${query}`, moderator);
    expect(res.statusCode).toBe(200);
    return res.json() as { user: { id: string }; results: Entry[]; next_before_position: number | null };
  };

  it('lists the user’s events across threads, newest first: registration, joins, posts, reports', async () => {
    const other = await w.thread(owner, { title: 'elsewhere', members: [reporter] });
    const elsewhere = await w.post(reporter, other, 'hello elsewhere');
    const res = await w.call('GET', `/api/moderation/users/${reporter.id}/activity/?min_position=${elsewhere.position}`, moderator);
    const entries = res.json().results as Entry[];
    expect(entries.map((e) => e.type)).toEqual([
      'MessagePosted',
      'MemberJoined',
      'MessageReported',
      'MessageReported',
      'MemberJoined',
      'UserRegistered',
    ]);
    expect(entries.map((e) => e.thread)).toEqual([other, other, threadId, threadId, threadId, null]);
    expect(entries[0]).toMatchObject({ data: { content: 'hello elsewhere' }, metadata: { actorId: reporter.id, actor_username: reporter.username } });
  });

  it('shows moderation actions with the moderator as actor, in the moderator’s activity', async () => {
    const entries = (await activity(owner)).results;
    const review = entries.find((e) => e.type === 'ReportReviewed');
    expect(review).toMatchObject({ thread: threadId, data: { reportId: reportIds[0], moderatorId: owner.id }, metadata: { actorId: owner.id } });
  });

  it('shows a role change granted by an operator', async () => {
    const entries = (await activity(moderator)).results;
    expect(entries.find((e) => e.type === 'UserRoleChanged')).toMatchObject({ data: { userId: moderator.id, role: 'admin' }, metadata: { actorId: 'operator:tests' } });
  });

  it('pages with next_before_position: pages together are the whole activity, newest first', async () => {
    const whole = (await activity(owner, 'limit=200')).results;
    expect(whole.length).toBeGreaterThan(5);
    const paged: Entry[] = [];
    let before: number | null = null;
    do {
      const page = await activity(owner, `limit=2${before ? `&before_position=${before}` : ''}`);
      expect(page.results.length).toBeLessThanOrEqual(2);
      paged.push(...page.results);
      before = page.next_before_position;
    } while (before !== null);
    expect(paged.map((e) => e.position)).toEqual(whole.map((e) => e.position));
    expect(whole.map((e) => e.position)).toEqual([...whole.map((e) => e.position)].sort((a, b) => b - a));
  });
});
