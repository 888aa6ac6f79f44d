import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { AggregateLoader } from '../../src/commands/aggregates.js';
import type { CommandDeps } from '../../src/commands/handleCommand.js';
import { postMessage } from '../../src/commands/postMessage.js';
import { createThread } from '../../src/commands/threads.js';
import { WrongExpectedVersion, type EventStore } from '../../src/eventstore/eventStore.js';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { tempDir } from '../support/testApp.js';

let stores: EventStore[] = [];
afterEach(async () => {
  for (const store of stores) await store.close();
  stores = [];
});

/** The store, with every append refused for a wrong expected revision counted. */
async function countingConflicts() {
  const store = await openSqliteEventStore({ file: join(tempDir(), 'events.db') });
  stores.push(store);
  const counts = { conflicts: 0 };
  const append: EventStore['append'] = async (...args) => {
    try {
      return await store.append(...args);
    } catch (error) {
      if (error instanceof WrongExpectedVersion) counts.conflicts++;
      throw error;
    }
  };
  const counting = new Proxy(store, {
    get: (target, key) => (key === 'append' ? append : (Reflect.get(target, key) as unknown)),
  });
  return { store: counting, counts };
}

const context = (actorId: string) => ({ actorId, correlationId: crypto.randomUUID(), now: new Date() });

describe('command cycles on one stream', () => {
  it('run one after another within a process: concurrent posts to one thread never conflict', async () => {
    const { store, counts } = await countingConflicts();
    const deps: CommandDeps = { store, aggregates: new AggregateLoader(store) };
    const { state } = await createThread(deps, { title: 'hot', visibility: 'public' }, context('owner'));
    const threadId = (state as { threadId: string }).threadId;

    const posts = await Promise.all(
      Array.from({ length: 40 }, (_, i) => postMessage(deps, { threadId, content: `m${i}`, clientMessageId: null }, context('owner'))),
    );
    expect(counts.conflicts).toBe(0);
    const seqs = posts.map((post) => post.seq).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 40 }, (_, i) => seqs[0]! + i));
  });

  it('still retry when another node appended in between', async () => {
    const { store, counts } = await countingConflicts();
    // Two loaders over one store: two nodes, each serializing only its own cycles.
    const nodes: CommandDeps[] = [0, 1].map(() => ({ store, aggregates: new AggregateLoader(store) }));
    const { state } = await createThread(nodes[0]!, { title: 'shared', visibility: 'public' }, context('owner'));
    const threadId = (state as { threadId: string }).threadId;

    const posts = await Promise.all(
      Array.from({ length: 8 }, (_, i) => postMessage(nodes[i % 2]!, { threadId, content: `m${i}`, clientMessageId: null }, context('owner'))),
    );
    expect(counts.conflicts).toBeGreaterThan(0);
    expect(new Set(posts.map((post) => post.seq)).size).toBe(8);
  });
});
