import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../support/testApp.js';

const started = vi.hoisted(() => ({ modules: [] as string[] }));
vi.mock('../../src/workerThreads.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/workerThreads.js')>();
  return {
    ...original,
    startWorker: (module: URL, data: unknown) => {
      started.modules.push(module.pathname);
      return original.startWorker(module, data);
    },
  };
});

const { openSqliteEventStore } = await import('../../src/eventstore/sqliteEventStore.js');
type Store = Awaited<ReturnType<typeof openSqliteEventStore>>;

let stores: Store[] = [];
afterEach(async () => {
  for (const store of stores) await store.close();
  stores = [];
  started.modules = [];
});

const writerThreads = () => started.modules.filter((path) => path.includes('sqliteWriterThread')).length;

describe('the event store writer thread', () => {
  it('is not started by a store that only reads, and is started once by the first write', async () => {
    const store = await openSqliteEventStore({ file: join(tempDir(), 'events.db') });
    stores.push(store);
    await store.readAll({ after: 0 });
    await store.headPosition();
    expect(writerThreads()).toBe(0);

    const event = { id: crypto.randomUUID(), type: 'Noted', data: {}, metadata: { actorId: null, correlationId: 'c', causationId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 } };
    await store.append('notes-1', [event], 'no_stream');
    await store.append('notes-1', [{ ...event, id: crypto.randomUUID() }], 0);
    expect(writerThreads()).toBe(1);
    expect((await store.readStream('notes-1')).map((e) => e.revision)).toEqual([0, 1]);
  });

  it('closes a store that never wrote without waiting for a thread', async () => {
    const store = await openSqliteEventStore({ file: join(tempDir(), 'events.db') });
    await store.close();
    expect(writerThreads()).toBe(0);
  });
});
