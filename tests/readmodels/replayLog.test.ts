import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventStore, EventToAppend } from '../../src/eventstore/eventStore.js';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { ALL_PROJECTIONS } from '../../src/projections/all.js';
import type { ReadModelStore } from '../../src/readmodels/readModelStore.js';
import { replayLog } from '../../src/readmodels/rebuild.js';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { tempDir } from '../support/testApp.js';

let stores: { store: EventStore; target: ReadModelStore } | null = null;
afterEach(async () => {
  await stores?.target.close();
  await stores?.store.close();
  stores = null;
});

const event = (type: string, data: Record<string, unknown>, actorId: string): EventToAppend => ({
  id: randomUUID(),
  type,
  data,
  metadata: { actorId, correlationId: randomUUID(), causationId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 },
});

/** A user, a thread and `messages` posts to it; returns the positions of the posts. */
async function openLog(messages: number) {
  const dir = tempDir('replay-');
  const store = await openSqliteEventStore({ file: join(dir, 'events.db') });
  const target = openSqliteReadModels(join(dir, 'readmodels.db'));
  stores = { store, target };
  const userId = randomUUID();
  const threadId = randomUUID();
  await store.append(`user-${userId}`, [event('UserRegistered', { userId, username: 'replayer', email: 'r@example.com', passwordHash: 'x', role: 'member' }, userId)], 'no_stream');
  await store.append(
    `thread-${threadId}`,
    [
      event('ThreadCreated', { threadId, title: 'replay', visibility: 'public', createdBy: userId }, userId),
      event('MemberJoined', { threadId, userId, role: 'owner', invitedBy: null }, userId),
    ],
    'no_stream',
  );
  const post = (content: string | undefined) =>
    store.append(`thread-${threadId}`, [event('MessagePosted', { threadId, messageId: randomUUID(), authorId: userId, content, clientMessageId: null }, userId)], 'any');
  const positions: number[] = [];
  for (let i = 0; i < messages; i++) positions.push((await post(`message ${i}`)).position);
  return { store, target, threadId, post, positions };
}

describe('replayLog', () => {
  it('stops at an event that fails its schema: the pages before it are committed, nothing after it is applied', async () => {
    const log = await openLog(10);
    // Written past validation, as another (buggy) writer could: no content.
    const { position: poison } = await log.post(undefined);
    for (let i = 0; i < 10; i++) await log.post(`after ${i}`);

    const pages: number[] = [];
    const replay = replayLog(log.store, log.target, ALL_PROJECTIONS, (p) => pages.push(p.position), { pageSize: 4 });
    await expect(replay).rejects.toThrow(/invalid MessagePosted event/);
    // Pages of 4 from position 1: the poison's page is refused whole, every page before it committed.
    const lastGood = Math.floor((poison - 1) / 4) * 4;
    expect(pages.at(-1)).toBe(lastGood);
    expect(await log.target.checkpoint('chat')).toBe(lastGood);
    const { results } = await log.target.listMessages(log.threadId, { limit: 100 });
    expect(results.map((m) => m.position)).toEqual(log.positions.filter((p) => p <= lastGood));
  });

  it('starts from the checkpoint: a second replay applies only the events appended since, each once', async () => {
    const log = await openLog(30);
    await replayLog(log.store, log.target, ALL_PROJECTIONS, () => undefined, { pageSize: 5 });
    for (let i = 0; i < 7; i++) log.positions.push((await log.post(`later ${i}`)).position);
    const resumed = await replayLog(log.store, log.target, ALL_PROJECTIONS, () => undefined, { pageSize: 3 });
    expect(resumed.applied).toBe(7);
    const { results } = await log.target.listMessages(log.threadId, { limit: 100 });
    expect(results.map((m) => m.position)).toEqual(log.positions);
  });
});
