import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';
import { nextMillisecond, world } from './world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
let owner: TestUser;
let bob: TestUser;
let carol: TestUser;
let moderator: TestUser;

/** What the live API showed right after one step of the script. */
interface Snapshot {
  step: string;
  position: number;
  /** A time after this step's event and before the next step's. */
  at: string;
  detail: Record<string, unknown>;
  history: unknown[];
}

let threadId: string;
const snapshots: Snapshot[] = [];
const seqOfPosition = new Map<number, number>();

beforeAll(async () => {
  t = await startTestApp();
  w = world(t);
  [owner, bob, carol, moderator] = await Promise.all([t.user(), t.user(), t.user(), t.user()]);
  await w.grant(moderator, 'moderator');

  let hello = { id: '' };
  let spam = { id: '' };
  const steps: [string, () => Promise<{ position: number }>][] = [
    ['create', async () => (await w.call('POST', '/api/chat/threads/', owner, { title: 'Plans' })).json()],
    ['bob joins', async () => (await w.call('POST', `/api/chat/threads/${threadId}/join/`, bob)).json()],
    ['owner posts', async () => (hello = await w.post(owner, threadId, 'hello everyone'))],
    ['bob posts', async () => w.post(bob, threadId, 'a plan 🗺️')],
    ['carol joins', async () => (await w.call('POST', `/api/chat/threads/${threadId}/join/`, carol)).json()],
    ['bob made moderator', async () => w.promote(owner, threadId, bob, 'moderator')],
    ['carol posts', async () => (spam = await w.post(carol, threadId, 'buy cheap watches'))],
    ['bob redacts carol', async () => (await w.call('POST', `/api/chat/messages/${spam.id}/redact/`, bob, { reason: 'spam' })).json()],
    ['carol removed', async () => (await w.call('DELETE', `/api/chat/threads/${threadId}/members/${carol.id}/?reason=spam`, owner)).json()],
    ['bob leaves', async () => (await w.call('POST', `/api/chat/threads/${threadId}/leave/`, bob)).json()],
    ['bob rejoins', async () => (await w.call('POST', `/api/chat/threads/${threadId}/join/`, bob)).json()],
    ['moderator redacts hello', async () => (await w.call('POST', `/api/chat/messages/${hello.id}/redact/`, moderator, { reason: 'pii' })).json()],
    ['owner posts again', async () => w.post(owner, threadId, 'bye for now')],
  ];
  for (const [step, run] of steps) {
    const result = (await run()) as { position: number; id?: string };
    if (step === 'create') threadId = result.id!;
    const detail = (await w.call('GET', `/api/chat/threads/${threadId}/?min_position=${result.position}`, owner)).json();
    const history = (await w.call('GET', `/api/chat/messages/?thread=${threadId}&limit=200&min_position=${result.position}`, owner)).json();
    const at = new Date().toISOString();
    snapshots.push({ step, position: result.position, at, detail, history: history.results });
    await nextMillisecond(Date.parse(at));
  }
  const audit = (await w.call('GET', `/api/moderation/threads/${threadId}/audit/?limit=500`, moderator)).json();
  for (const entry of audit.results as { stream: string; seq: number; position: number }[]) {
    if (entry.stream === `thread-${threadId}`) seqOfPosition.set(entry.position, entry.seq);
  }
});
afterAll(() => t.close());

const state = async (query: string) => {
  const res = await w.call('GET', `/api/moderation/threads/${threadId}/state/?${query}`, moderator);
  expect(res.statusCode).toBe(200);
  return res.json();
};

/** The replayed state in the live API's shapes: thread detail fields and the history page. */
function expectSameAsLive(replayed: Record<string, unknown>, snapshot: Snapshot) {
  const { detail } = snapshot;
  for (const field of ['title', 'visibility', 'created_by', 'created_at', 'last_activity_at', 'member_count', 'members']) {
    expect(replayed[field], `${snapshot.step}: ${field}`).toEqual(detail[field]);
  }
  expect(replayed.messages, `${snapshot.step}: messages`).toEqual(snapshot.history);
}

describe('the state of a thread at a past point', () => {
  it('the script covered every kind of change (guards the comparison below)', () => {
    expect(snapshots).toHaveLength(13);
    expect(seqOfPosition.size).toBeGreaterThanOrEqual(14);
    const last = snapshots[snapshots.length - 1]!;
    expect(last.history).toHaveLength(4);
    expect((last.history as { redacted: boolean }[]).filter((m) => m.redacted)).toHaveLength(2);
  });

  it('at seq N equals what the API showed after event N, for every step', async () => {
    for (const snapshot of snapshots) {
      const seq = seqOfPosition.get(snapshot.position);
      expect(seq, snapshot.step).toBeDefined();
      const replayed = await state(`seq=${seq}`);
      expect(replayed.as_of.seq).toBe(seq);
      expect(replayed.as_of.position).toBe(snapshot.position);
      expectSameAsLive(replayed, snapshot);
    }
  });

  it('at a time equals what the API showed at that time, for every step', async () => {
    for (const snapshot of snapshots) {
      const replayed = await state(`at=${encodeURIComponent(snapshot.at)}`);
      expect(replayed.as_of.position, snapshot.step).toBe(snapshot.position);
      expectSameAsLive(replayed, snapshot);
    }
  });

  it('shows a message’s text before its redaction, and only the redaction after it', async () => {
    const before = snapshots.find((s) => s.step === 'carol posts')!;
    const after = snapshots.find((s) => s.step === 'bob redacts carol')!;
    const atBefore = await state(`seq=${seqOfPosition.get(before.position)}`);
    const atAfter = await state(`seq=${seqOfPosition.get(after.position)}`);
    expect(atBefore.messages.at(-1)).toMatchObject({ content: 'buy cheap watches', redacted: false });
    expect(atAfter.messages.at(-1)).toMatchObject({ content: null, redacted: true, redacted_by: bob.id });
    expect(atAfter.redacted_message_ids).toEqual([atAfter.messages.at(-1).id]);
    expect(atBefore.redacted_message_ids).toEqual([]);
  });

  it('without a point is the thread now; a seq past the end is the thread now', async () => {
    const now = await state('');
    expectSameAsLive(now, snapshots[snapshots.length - 1]!);
    expect((await state('seq=100000')).as_of).toEqual(now.as_of);
  });

  it('limit keeps the newest messages and says there are more', async () => {
    const replayed = await state('limit=2');
    expect(replayed.messages).toEqual(snapshots[snapshots.length - 1]!.history.slice(-2));
    expect(replayed.has_more_messages).toBe(true);
  });

  it('refuses a time before the thread (404), both at and seq, or a malformed time (400)', async () => {
    const before = await w.call('GET', `/api/moderation/threads/${threadId}/state/?at=2000-01-01T00:00:00Z`, moderator);
    expect(before.statusCode).toBe(404);
    expect((await w.call('GET', `/api/moderation/threads/${threadId}/state/?at=${encodeURIComponent(snapshots[0]!.at)}&seq=1`, moderator)).statusCode).toBe(400);
    expect((await w.call('GET', `/api/moderation/threads/${threadId}/state/?at=yesterday`, moderator)).statusCode).toBe(400);
  });
});
