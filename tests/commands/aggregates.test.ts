import { join } from 'node:path';
import { NEVER } from 'rxjs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { AggregateLoader } from '../../src/commands/aggregates.js';
import type { CommandDeps } from '../../src/commands/handleCommand.js';
import { postMessage } from '../../src/commands/postMessage.js';
import { createThread, joinThread } from '../../src/commands/threads.js';
import { threadDecider, threadStream } from '../../src/domain/thread.js';
import { WrongExpectedVersion, type EventStore } from '../../src/eventstore/eventStore.js';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { tempDir } from '../support/testApp.js';

let stores: EventStore[] = [];
let loaders: AggregateLoader[] = [];
afterEach(async () => {
  for (const loader of loaders) loader.unfollow();
  for (const store of stores) await store.close();
  stores = [];
  loaders = [];
});

const context = (actorId: string) => ({ actorId, correlationId: crypto.randomUUID(), now: new Date() });

interface Counted {
  store: EventStore;
  counts: { reads: number; conflicts: number };
}

/**
 * A store that counts stream reads and refused appends. With `deafFeed` its
 * live feed never delivers, so a loader following it never learns that a cached
 * fold fell behind: what a node sees before another node's append reaches it.
 */
function counting(store: EventStore, { deafFeed = false } = {}): Counted {
  const counts = { reads: 0, conflicts: 0 };
  const overrides: Partial<EventStore> = {
    readStream: (...args) => {
      counts.reads++;
      return store.readStream(...args);
    },
    append: async (...args) => {
      try {
        return await store.append(...args);
      } catch (error) {
        if (error instanceof WrongExpectedVersion) counts.conflicts++;
        throw error;
      }
    },
    ...(deafFeed ? { subscribeToAll: () => NEVER } : {}),
  };
  const proxy = new Proxy(store, {
    get: (target, key) => (key in overrides ? overrides[key as keyof EventStore] : (Reflect.get(target, key) as unknown)),
  });
  return { store: proxy, counts };
}

async function openStore(file: string) {
  const store = await openSqliteEventStore({ file });
  stores.push(store);
  return store;
}

async function followingNode(store: EventStore): Promise<CommandDeps> {
  const aggregates = new AggregateLoader(store);
  loaders.push(aggregates);
  await aggregates.follow();
  return { store, aggregates };
}

describe('a loader following the log', () => {
  it('answers current() from its cache without a read, and reads again once another node appended', async () => {
    const file = join(tempDir(), 'events.db');
    // Two connections to one file, as two processes have: the second one's appends reach the first by polling.
    const { store, counts } = counting(await openStore(file));
    const other: CommandDeps = { store: await openStore(file), aggregates: new AggregateLoader(stores[1]!) };
    const node = await followingNode(store);
    const { state } = await createThread(node, { title: 'cached', visibility: 'public' }, context('owner'));
    const threadId = (state as { threadId: string }).threadId;
    const stream = threadStream(threadId);

    await node.aggregates.load(stream, threadDecider);
    const readsBefore = counts.reads;
    const cached = await node.aggregates.current(stream, threadDecider);
    expect(counts.reads).toBe(readsBefore);
    expect(cached.cached).toBe(true);

    await joinThread(other, threadId, context('bob'));
    await vi.waitFor(
      async () => {
        const seen = await node.aggregates.current(stream, threadDecider);
        expect(seen.cached).toBeUndefined();
        expect(seen.revision).toBe(cached.revision + 1);
      },
      { timeout: 5000, interval: 10 },
    );
    expect(counts.reads).toBeGreaterThan(readsBefore);
  });

  it('knows a fold is behind when the feed showed a newer event before the read that made it returned', async () => {
    const file = join(tempDir(), 'events.db');
    const store = await openStore(file);
    const other: CommandDeps = { store: await openStore(file), aggregates: new AggregateLoader(stores[1]!) };
    const { state } = await createThread(other, { title: 'raced', visibility: 'public' }, context('owner'));
    const threadId = (state as { threadId: string }).threadId;
    const stream = threadStream(threadId);

    // A read that returns without the newest event, as one that started before it was appended would on an asynchronous store.
    let staleReads = 0;
    const racing = new Proxy(store, {
      get: (target, key) =>
        key === 'readStream'
          ? async (...args: Parameters<EventStore['readStream']>) => {
              const events = await target.readStream(...args);
              return staleReads-- > 0 ? events.slice(0, -1) : events;
            }
          : (Reflect.get(target, key) as unknown),
    });
    const node = await followingNode(racing);
    let fed = -1;
    const watch = store.subscribeToAll({ after: 0 }).subscribe((event) => {
      if (event.stream === stream) fed = event.revision;
    });
    const { revision } = await joinThread(other, threadId, context('bob'));
    // The loader subscribed first, so it has seen the event once this later subscriber has.
    await vi.waitFor(() => expect(fed).toBe(revision), { timeout: 5000, interval: 5 });
    watch.unsubscribe();

    staleReads = 1;
    const raced = await node.aggregates.load(stream, threadDecider);
    expect(raced.revision).toBe(revision - 1);
    const current = await node.aggregates.current(stream, threadDecider);
    expect(current.cached).toBeUndefined();
    expect(current.revision).toBe(revision);
    expect((await node.aggregates.current(stream, threadDecider)).cached).toBe(true);
  });

  it('never answers from the cache when not following', async () => {
    const { store, counts } = counting(await openStore(join(tempDir(), 'events.db')));
    const deps: CommandDeps = { store, aggregates: new AggregateLoader(store) };
    const { state } = await createThread(deps, { title: 'unfollowed', visibility: 'public' }, context('owner'));
    const stream = threadStream((state as { threadId: string }).threadId);
    await deps.aggregates.load(stream, threadDecider);
    const readsBefore = counts.reads;
    const loaded = await deps.aggregates.current(stream, threadDecider);
    expect(loaded.cached).toBeUndefined();
    expect(counts.reads).toBe(readsBefore + 1);
  });
});

describe('commands decided on a cached fold that is behind', () => {
  async function twoNodes() {
    const file = join(tempDir(), 'events.db');
    const stale = counting(await openStore(file), { deafFeed: true });
    const node = await followingNode(stale.store);
    const other: CommandDeps = { store: await openStore(file), aggregates: new AggregateLoader(stores[1]!) };
    return { node, other, counts: stale.counts };
  }

  it('are refused by the append and decided again on a fresh read', async () => {
    const { node, other, counts } = await twoNodes();
    const { state } = await createThread(node, { title: 'race', visibility: 'public' }, context('owner'));
    const threadId = (state as { threadId: string }).threadId;
    await postMessage(node, { threadId, content: 'first', clientMessageId: null }, context('owner'));

    const elsewhere = await postMessage(other, { threadId, content: 'from the other node', clientMessageId: null }, context('owner'));
    const here = await postMessage(node, { threadId, content: 'after it', clientMessageId: null }, context('owner'));

    expect(counts.conflicts).toBe(1);
    expect(here.seq).toBe(elsewhere.seq + 1);
  });

  it('that refuse the command are decided again: a member who joined on another node may post', async () => {
    const { node, other } = await twoNodes();
    const { state } = await createThread(node, { title: 'joined elsewhere', visibility: 'public' }, context('owner'));
    const threadId = (state as { threadId: string }).threadId;
    await postMessage(node, { threadId, content: 'cache the thread', clientMessageId: null }, context('owner'));

    await joinThread(other, threadId, context('bob'));
    const posted = await postMessage(node, { threadId, content: 'hi', clientMessageId: null }, context('bob'));

    expect(posted.authorId).toBe('bob');
    expect(posted.created).toBe(true);
  });

  it('that decide nothing are decided again: a retry finds an original posted on another node', async () => {
    const { node, other } = await twoNodes();
    const { state } = await createThread(node, { title: 'retried', visibility: 'public' }, context('owner'));
    const threadId = (state as { threadId: string }).threadId;
    await postMessage(node, { threadId, content: 'cache the thread', clientMessageId: null }, context('owner'));

    const retryId = crypto.randomUUID();
    const original = await postMessage(other, { threadId, content: 'once', clientMessageId: retryId }, context('owner'));
    const retried = await postMessage(node, { threadId, content: 'once', clientMessageId: retryId }, context('owner'));

    expect(retried.created).toBe(false);
    expect(retried.seq).toBe(original.seq);
    expect(retried.messageId).toBe(original.messageId);
  });
});
