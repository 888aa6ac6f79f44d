import { randomUUID } from 'node:crypto';
import type { EventToAppend } from '../../src/eventstore/eventStore.js';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { serveRpc } from '../lib/rpc.js';
import { Samples } from '../lib/stats.js';

/**
 * Load process appending straight through the event-store port (no HTTP, no
 * decider): `writers` concurrent loops, each appending batches of `batch`
 * events to its own stream, for `durationS`. Measures what the log itself
 * sustains with its group commit and fsync.
 */
export const handlers = {
  async append(params: { file: string; durationS: number; batch: number; writers: number }) {
    const store = await openSqliteEventStore({ file: params.file });
    const latencies = new Samples();
    const threadId = randomUUID();
    const authorId = randomUUID();
    let events = 0;
    const started = performance.now();
    const until = started + params.durationS * 1000;
    const batchOf = (): EventToAppend[] =>
      Array.from({ length: params.batch }, (_, i) => ({
        id: randomUUID(),
        type: 'MessagePosted',
        data: { threadId, messageId: randomUUID(), authorId, content: `raw append ${i}`, clientMessageId: null },
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
