import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { tempDir } from '../support/testApp.js';

const opened = vi.hoisted(() => ({ files: [] as string[] }));
vi.mock('../../src/eventstore/sqliteCommitter.js', async (importOriginal) => {
  const original = await importOriginal<typeof import('../../src/eventstore/sqliteCommitter.js')>();
  return {
    ...original,
    openCommitter: (file: string) => {
      opened.files.push(file);
      return original.openCommitter(file);
    },
  };
});

const { openSqliteEventStore } = await import('../../src/eventstore/sqliteEventStore.js');
type Store = Awaited<ReturnType<typeof openSqliteEventStore>>;

let stores: Store[] = [];
afterEach(async () => {
  for (const store of stores) await store.close();
  stores = [];
  opened.files = [];
});

const event = () => ({
  id: crypto.randomUUID(),
  type: 'Noted',
  data: {},
  metadata: { actorId: null, correlationId: 'c', causationId: null, occurredAt: new Date().toISOString(), schemaVersion: 1 },
});

describe('the event store writer', () => {
  it('opens no write connection for a store that only reads, and opens it once at the first write', async () => {
    const store = await openSqliteEventStore({ file: join(tempDir(), 'events.db') });
    stores.push(store);
    await store.readAll({ after: 0 });
    await store.headPosition();
    expect(opened.files).toHaveLength(0);

    await store.append('notes-1', [event()], 'no_stream');
    await store.append('notes-1', [event()], 0);
    expect(opened.files).toHaveLength(1);
    expect((await store.readStream('notes-1')).map((e) => e.revision)).toEqual([0, 1]);
  });

  it('commits what was queued before close, and refuses appends after it', async () => {
    const file = join(tempDir(), 'events.db');
    const store = await openSqliteEventStore({ file });
    const pending = store.append('notes-2', [event()], 'no_stream');
    await store.close();
    await expect(pending).resolves.toMatchObject({ nextRevision: 0 });
    await expect(store.append('notes-2', [event()], 0)).rejects.toThrow(/closed/);

    const reopened = await openSqliteEventStore({ file });
    stores.push(reopened);
    expect((await reopened.readStream('notes-2')).map((e) => e.revision)).toEqual([0]);
  });
});
