import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ReadModelWriter } from '../../src/readmodels/readModelStore.js';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { openReadModelFile, openReadModelWriter, prepareWrites, recordingWriter, type Batch } from '../../src/readmodels/sqliteReadModelWrites.js';
import { tempDir } from '../support/testApp.js';

const KEY_INDEXES = ['messages_by_id', 'messages_by_thread', 'report_events_by_message', 'user_activity_by_user'];

const alice = { id: 'u-alice', username: 'alice', email: 'alice@example.test', role: 'member' as const, createdAt: '2025-01-27T10:00:00.000Z' };
const message = (id: string, seq: number, content = `message ${seq}`) => ({
  id,
  threadId: 't1',
  seq,
  position: 100 + seq,
  authorId: alice.id,
  content,
  clientMessageId: null,
  createdAt: '2025-01-27T10:00:00.000Z',
});
const ref = (position: number) => ({ stream: 'thread-t1', revision: position - 100, position });

/** A user posting three messages to a thread, one of them then redacted, with the moderation index of each. */
function history(w: ReadModelWriter): void {
  w.putUser(alice);
  w.putThread({ id: 't1', title: 'bulk', visibility: 'public', createdBy: alice.id, createdAt: alice.createdAt });
  for (let seq = 1; seq <= 3; seq++) {
    w.putMessage(message(`m${seq}`, seq));
    w.recordUserActivity(alice.id, ref(100 + seq));
  }
  w.redactMessage('m2', alice.id, '2025-01-27T11:00:00.000Z', 'typo');
  w.recordReportEvent('m3', ref(104));
}

const indexes = (file: string) => {
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare<[], string>("SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%' ORDER BY name").pluck().all();
  } finally {
    db.close();
  }
};

let dir: string;
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('SQLite read models: a bulk load', () => {
  it('builds its keys and applies its redactions when closed; reopened, the file answers and ignores repeated keys as before', async () => {
    dir = tempDir('bulk-');
    const file = join(dir, 'readmodels.db');
    const bulk = openSqliteReadModels(file, { bulkLoad: true });
    await bulk.applyBatch('chat', 104, history);
    await bulk.close();
    expect(indexes(file)).toEqual(expect.arrayContaining(KEY_INDEXES));

    const store = openSqliteReadModels(file);
    try {
      expect((await store.getMessage('m2'))?.content).toBeNull();
      expect((await store.getMessage('m2'))?.redactedBy).toBe(alice.id);
      expect((await store.getMessage('m3'))?.content).toBe('message 3');
      // Replayed again (say by a second projection run), nothing is added twice.
      await store.applyBatch('chat', 105, history);
      const { results } = await store.listMessages('t1', { limit: 10 });
      expect(results.map((m) => [m.id, m.content])).toEqual([
        ['m1', 'message 1'],
        ['m2', null],
        ['m3', 'message 3'],
      ]);
      expect((await store.listUserActivity(alice.id, { limit: 10 })).results.map((r) => r.position)).toEqual([103, 102, 101]);
      expect(await store.listThreadReportEvents('t1', { afterPosition: 0, limit: 10 })).toEqual([]);
    } finally {
      await store.close();
    }
    const db = new Database(file, { readonly: true });
    expect(db.prepare('SELECT count(*) FROM report_events').pluck().get()).toBe(1);
    expect(db.prepare('SELECT count(*) FROM pending_redactions').pluck().get()).toBe(0);
    db.close();
  });

  it('keeps the first of rows that repeat a key, as inserting them one by one would', async () => {
    dir = tempDir('bulk-');
    const file = join(dir, 'readmodels.db');
    const bulk = openSqliteReadModels(file, { bulkLoad: true });
    await bulk.applyBatch('chat', 1, (w) => {
      w.putMessage(message('m1', 1, 'first'));
      w.putMessage({ ...message('m1', 2, 'second'), threadId: 't2' });
      w.recordUserActivity(alice.id, ref(101));
      w.recordUserActivity(alice.id, { ...ref(101), stream: 'thread-other' });
    });
    await bulk.close();

    const db = new Database(file, { readonly: true });
    try {
      expect(db.prepare('SELECT id, thread_id, content FROM messages').all()).toEqual([{ id: 'm1', thread_id: 't1', content: 'first' }]);
      expect(db.prepare('SELECT stream FROM user_activity').pluck().all()).toEqual(['thread-t1']);
      expect(indexes(file)).toEqual(expect.arrayContaining(KEY_INDEXES));
    } finally {
      db.close();
    }
  });

  it('left unfinished (the process died before closing), is finished by the first store that opens it to serve it', async () => {
    dir = tempDir('bulk-');
    const file = join(dir, 'readmodels.db');
    const main = openReadModelFile(file, { bulkLoad: true });
    const writer = openReadModelWriter(file, { bulkLoad: true });
    const batch: Batch = { ops: [], strings: [] };
    const recording = recordingWriter(batch);
    history(recording.writer);
    recording.finish();
    const [error] = prepareWrites(writer, { deferRedactions: true }).applyBatches([{ type: 'batch', id: 0, projection: 'chat', lastPosition: 104, batch, after: null }]);
    expect(error).toBeNull();
    writer.close();
    main.close();
    expect(indexes(file)).not.toContain('messages_by_id');

    const store = openSqliteReadModels(file);
    try {
      expect(indexes(file)).toEqual(expect.arrayContaining(KEY_INDEXES));
      expect((await store.getMessage('m2'))?.content).toBeNull();
      expect(await store.checkpoint('chat')).toBe(104);
    } finally {
      await store.close();
    }
  });

  it('leaves a file made before the keys were indexes of their own as it was: no second index on the same key', async () => {
    dir = tempDir('bulk-');
    const file = join(dir, 'readmodels.db');
    const old = new Database(file);
    old.exec(`
      CREATE TABLE messages (
        id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, seq INTEGER NOT NULL, position INTEGER NOT NULL,
        author_id TEXT NOT NULL, content TEXT, client_message_id TEXT, created_at TEXT NOT NULL,
        redacted INTEGER NOT NULL DEFAULT 0, redacted_by TEXT, redacted_at TEXT, redaction_reason TEXT);
      CREATE UNIQUE INDEX messages_by_thread ON messages (thread_id, seq);
      CREATE TABLE user_activity (
        user_id TEXT NOT NULL, position INTEGER NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL,
        PRIMARY KEY (user_id, position));
      CREATE TABLE report_events (
        message_id TEXT NOT NULL, position INTEGER NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL,
        PRIMARY KEY (message_id, position));
    `);
    old.close();

    const store = openSqliteReadModels(file);
    try {
      await store.applyBatch('chat', 104, history);
      await store.applyBatch('chat', 105, history);
      expect((await store.listMessages('t1', { limit: 10 })).results.map((m) => [m.id, m.content])).toEqual([
        ['m1', 'message 1'],
        ['m2', null],
        ['m3', 'message 3'],
      ]);
    } finally {
      await store.close();
    }
    expect(indexes(file)).not.toContain('messages_by_id');
    expect(indexes(file)).not.toContain('user_activity_by_user');
    expect(indexes(file)).not.toContain('report_events_by_message');
  });
});
