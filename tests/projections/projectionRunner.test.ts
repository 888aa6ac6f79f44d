import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { EventToAppend } from '../../src/eventstore/eventStore.js';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { chatProjection, type Projection } from '../../src/projections/chatProjection.js';
import { ProjectionRunner } from '../../src/projections/projectionRunner.js';
import type { ReadModelStore } from '../../src/readmodels/readModelStore.js';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { tempDir } from '../support/testApp.js';

let cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

const logger = { error: () => undefined };

/** A log of `messages` posts to one thread, appended in a few big appends. */
async function openLog(messages: number) {
  const dir = tempDir('runner-');
  const store = await openSqliteEventStore({ file: join(dir, 'events.db') });
  const readModels = openSqliteReadModels(join(dir, 'readmodels.db'));
  cleanup.push(async () => {
    await readModels.close();
    await store.close();
  });
  const userId = randomUUID();
  const threadId = randomUUID();
  const event = (type: string, data: Record<string, unknown>): EventToAppend => ({
    id: randomUUID(),
    type,
    data,
    metadata: { actorId: userId, correlationId: randomUUID(), causationId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 },
  });
  await store.append(`thread-${threadId}`, [event('ThreadCreated', { threadId, title: 'runner', visibility: 'public', createdBy: userId })], 'no_stream');
  for (let done = 0; done < messages; done += 500) {
    const posts = Array.from({ length: Math.min(500, messages - done) }, (_, i) =>
      event('MessagePosted', { threadId, messageId: randomUUID(), authorId: userId, content: `message ${done + i}`, clientMessageId: null }),
    );
    await store.append(`thread-${threadId}`, posts, 'any');
  }
  return { store, readModels: countingInFlight(readModels), plainReadModels: readModels, event, threadId, userId, head: await store.headPosition() };
}

/**
 * The same store, but each batch settles 20 ms after the store has settled it, so
 * that the runner surely has the next batch ready by then; counts how many batches
 * were handed over and not yet settled at most.
 */
function countingInFlight(readModels: ReadModelStore): ReadModelStore & { maxInFlight: number } {
  let inFlight = 0;
  const counted = Object.assign(Object.create(readModels) as ReadModelStore, { maxInFlight: 0 });
  const later = () => new Promise((resolve) => setTimeout(resolve, 20));
  counted.applyBatch = (...args) => {
    counted.maxInFlight = Math.max(counted.maxInFlight, ++inFlight);
    return readModels.applyBatch(...args).then(
      () => later().then(() => void inFlight--),
      (error: unknown) =>
        later().then(() => {
          inFlight--;
          throw error;
        }),
    );
  };
  return counted as ReadModelStore & { maxInFlight: number };
}

describe('ProjectionRunner catching up', () => {
  it('hands a batch to the read models while the one before commits, and ends with every event once', async () => {
    const log = await openLog(4000);
    const runner = new ProjectionRunner(log.store, log.readModels, chatProjection, logger);
    cleanup.push(() => runner.stop());
    await runner.start();
    expect(await runner.waitFor(log.head, 20_000)).toBe(true);
    expect(await log.readModels.checkpoint('chat')).toBe(log.head);
    const { results, hasMore } = await log.readModels.listMessages(log.threadId, { limit: 5000 });
    expect(hasMore).toBe(false);
    expect(results.map((m) => m.position)).toEqual(Array.from({ length: 4000 }, (_, i) => i + 2));
    expect(log.readModels.maxInFlight).toBe(2);
  });

  it('stops at a batch the read models refuse on commit: nothing after it is applied, even a batch already handed over', async () => {
    const log = await openLog(4000);
    const poison = 2500;
    // Projects normally, but writes a row SQLite refuses (NOT NULL) for one event: the failure comes at commit, in the writer thread.
    const refusing: Projection = {
      name: chatProjection.name,
      apply(event, writer) {
        chatProjection.apply(event, writer);
        if (event.position === poison) writer.putUser({ id: 'u-x', username: null as unknown as string, email: 'x', role: 'member', createdAt: 'x' });
      },
    };
    const runner = new ProjectionRunner(log.store, log.readModels, refusing, logger);
    cleanup.push(() => runner.stop());
    await runner.start();
    await expect.poll(() => runner.failure, { timeout: 20_000 }).not.toBeNull();
    expect(runner.failure!.message).toMatch(/NOT NULL constraint failed: users.username/);
    expect(runner.failure!.position).toBeGreaterThanOrEqual(poison);
    // The read model holds exactly the events up to its checkpoint, which is before the refused batch.
    const checkpoint = await log.readModels.checkpoint('chat');
    expect(checkpoint).toBeLessThan(poison);
    expect(runner.position).toBe(checkpoint);
    const { results } = await log.readModels.listMessages(log.threadId, { limit: 5000 });
    expect(results.map((m) => m.position)).toEqual(Array.from({ length: checkpoint - 1 }, (_, i) => i + 2));
    expect(log.readModels.maxInFlight).toBe(2);
  });
});

describe('a runner under a steady stream of appends', () => {
  afterEach(() => vi.useRealTimers());

  it('spaces its batches, but a query waiting for a position gets it without waiting for the interval', async () => {
    const log = await openLog(200);
    const runner = new ProjectionRunner(log.store, log.plainReadModels, chatProjection, logger);
    cleanup.push(() => runner.stop());
    await runner.start();
    // Catching up 200 events makes a big batch: the runner now spaces its batches by a timer.
    expect(await runner.waitFor(log.head, 10_000)).toBe(true);

    // A timer that never fires: only the waiting query can make the next batch start.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const messageId = randomUUID();
    const post = log.event('MessagePosted', { threadId: log.threadId, messageId, authorId: log.userId, content: 'read me', clientMessageId: null });
    const { position } = await log.store.append(`thread-${log.threadId}`, [post], 'any');
    await new Promise((resolve) => setImmediate(resolve));
    expect(runner.position).toBeLessThan(position);

    expect(await runner.waitFor(position, 10_000)).toBe(true);
    expect((await log.plainReadModels.getMessage(messageId))?.content).toBe('read me');
  });
});
