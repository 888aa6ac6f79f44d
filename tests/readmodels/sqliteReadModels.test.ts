import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { readModelContract } from '../contracts/readModelContract.js';
import { moderationReadModelContract } from '../moderation/moderationReadModelContract.js';
import { tempDir } from '../support/testApp.js';
import { describe, expect, it } from 'vitest';

const freshFile = async () => {
  const dir = tempDir('readmodels-');
  const store = openSqliteReadModels(join(dir, 'readmodels.db'));
  return {
    store,
    async cleanup() {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

readModelContract('SQLite', freshFile);
moderationReadModelContract('SQLite', freshFile);

describe('SQLite read models: the writer thread', () => {
  const alice = { id: 'u-alice', username: 'alice', email: 'alice@example.test', role: 'member' as const, createdAt: '2025-01-27T10:00:00.000Z' };
  const bob = { ...alice, id: 'u-bob', username: 'bob' };

  it('applies batches handed over before the previous one committed in order; behind a batch SQLite refuses, nothing applies', async () => {
    const { store, cleanup } = await freshFile();
    try {
      const first = store.applyBatch('chat', 1, (w) => w.putUser(alice));
      // NOT NULL fails in the writer thread, after `write` has returned.
      const refused = store.applyBatch('chat', 2, (w) => w.putUser({ ...bob, username: null as unknown as string }));
      const behind = store.applyBatch('chat', 3, (w) => w.setUserRole(alice.id, 'admin'));
      await expect(first).resolves.toBeUndefined();
      await expect(refused).rejects.toThrow(/NOT NULL constraint failed: users.username/);
      await expect(behind).rejects.toThrow('an earlier batch of projection chat failed');
      await expect(store.applyBatch('chat', 3, (w) => w.setUserRole(alice.id, 'admin'))).rejects.toThrow('an earlier batch');
      expect(await store.checkpoint('chat')).toBe(1);
      expect(await store.getUser(bob.id)).toBeNull();
      expect((await store.getUser(alice.id))?.role).toBe('member');

      // Resumed from the checkpoint read above, the same batches apply.
      await store.applyBatch('chat', 2, (w) => w.putUser(bob));
      await store.applyBatch('chat', 3, (w) => w.setUserRole(alice.id, 'admin'));
      expect(await store.checkpoint('chat')).toBe(3);
      expect((await store.getUser(alice.id))?.role).toBe('admin');
    } finally {
      await cleanup();
    }
  });

  it('close waits for the batches handed over before it; a new file has 16 KiB pages', async () => {
    const dir = tempDir('readmodels-');
    const file = join(dir, 'readmodels.db');
    const store = openSqliteReadModels(file, { bulkLoad: true });
    const batches = Array.from({ length: 20 }, (_, i) => store.applyBatch('chat', i + 1, (w) => w.putUser({ ...alice, id: `u-${i}` })));
    await store.close();
    await Promise.all(batches);
    await expect(store.applyBatch('chat', 21, (w) => w.putUser(bob))).rejects.toThrow();

    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT count(*) AS n FROM users').get()).toEqual({ n: 20 });
      expect(db.prepare('SELECT position FROM checkpoints').get()).toEqual({ position: 20 });
      expect(db.pragma('page_size', { simple: true })).toBe(16384);
    } finally {
      db.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('two stores on one file (two processes): a batch the other already applied is not applied again', async () => {
    const dir = tempDir('readmodels-');
    const file = join(dir, 'readmodels.db');
    const here = openSqliteReadModels(file);
    const there = openSqliteReadModels(file);
    try {
      await here.applyBatch('chat', 1, (w) => w.putUser(alice));
      await there.applyBatch('chat', 5, (w) => w.putUser(bob));
      // Past everything `here` handed over, so `here` does not read the checkpoint first: its writer must refuse it.
      await here.applyBatch('chat', 5, (w) => w.setUserRole(bob.id, 'admin'));
      // At or below what `here` handed over: skipped on the checkpoint as stored.
      await here.applyBatch('chat', 1, (w) => w.setUserRole(alice.id, 'admin'));
      expect((await here.getUser(bob.id))?.role).toBe('member');
      expect((await here.getUser(alice.id))?.role).toBe('member');
      expect(await here.checkpoint('chat')).toBe(5);
      await here.applyBatch('chat', 6, (w) => w.setUserRole(bob.id, 'admin'));
      expect((await there.getUser(bob.id))?.role).toBe('admin');
    } finally {
      await here.close();
      await there.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
