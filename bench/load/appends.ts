import { randomUUID } from 'node:crypto';
import type { EventToAppend } from '../../src/eventstore/eventStore.js';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { newId } from '../../src/ids.js';
import { serveRpc } from '../lib/rpc.js';
import { Samples } from '../lib/stats.js';

/**
 * Load process appending straight through the event-store port (no HTTP, no
 * decider): `writers` concurrent loops, each appending batches of `batch`
 * events to its own stream, for `durationS`. Measures what the log itself
 * sustains with its group commit and fsync.
 *
 * `ids`: 'server' makes event ids as the server does (UUIDv7, see src/ids.ts);
 * 'random' makes UUIDv4s, as a writer other than this server might. The log's
 * unique index on event ids makes the difference: a random id lands on a
 * random page of it, so nearly every event rewrites a page of its own.
 */
export type EventIds = 'server' | 'random';
export const handlers = {
  async append(params: { file: string; durationS: number; batch: number; writers: number; ids: EventIds }) {
    const store = await openSqliteEventStore({ file: params.file });
    const latencies = new Samples();
    const makeId = params.ids === 'server' ? newId : randomUUID;
    const threadId = makeId();
    const authorId = makeId();
    let events = 0;
    const started = performance.now();
    const until = started + params.durationS * 1000;
    const batchOf = (): EventToAppend[] =>
      Array.from({ length: params.batch }, (_, i) => ({
        id: makeId(),
        type: 'MessagePosted',
        data: { threadId, messageId: makeId(), authorId, content: `raw append ${i}`, clientMessageId: null },
        metadata: { actorId: authorId, correlationId: randomUUID(), causationId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 },
      }));
    await Promise.all(
      Array.from({ length: params.writers }, async (_, w) => {
        while (performance.now() < until) {
          const batch = batchOf();
          const sent = performance.now();
          await store.append(`bench-raw-${w}`, batch, 'any');
          latencies.push(performance.now() - sent);
          events += batch.length;
        }
      }),
    );
    const elapsedMs = performance.now() - started;
    await store.close();
    return { events, appends: latencies.length, elapsedMs, latencies: latencies.toArray() };
  },
};

serveRpc(handlers);
