import type Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROWS_PER_STATEMENT } from '../../src/readmodels/batchedInsert.js';
import type { ReadModelWriter } from '../../src/readmodels/readModelStore.js';
import { openReadModelFile, openReadModelWriter, prepareWrites, recordingWriter, type Batch } from '../../src/readmodels/sqliteReadModelWrites.js';
import { tempDir } from '../support/testApp.js';

const at = '2025-01-27T10:00:00.000Z';
const post = (w: ReadModelWriter, seq: number) => {
  w.putMessage({ id: `m${seq}`, threadId: 't1', seq, position: 100 + seq, authorId: 'u1', content: `message ${seq}`, clientMessageId: null, createdAt: at });
  w.recordUserActivity('u1', { stream: 'thread-t1', revision: seq, position: 100 + seq });
};
const batchOf = (write: (w: ReadModelWriter) => void): Batch => {
  const batch: Batch = { ops: [], strings: [] };
  const recording = recordingWriter(batch);
  write(recording.writer);
  recording.finish();
  return batch;
};

let dir: string;
let main: Database.Database;
let writer: Database.Database;
let writes: ReturnType<typeof prepareWrites>;
beforeEach(() => {
  dir = tempDir('rm-writes-');
  const file = join(dir, 'readmodels.db');
  main = openReadModelFile(file, {});
  writer = openReadModelWriter(file, {});
  writes = prepareWrites(writer, { deferRedactions: false });
});
afterEach(() => {
  writer.close();
  main.close();
  rmSync(dir, { recursive: true, force: true });
});

const messages = () => main.prepare<[], { id: string; content: string | null }>('SELECT id, content FROM messages ORDER BY seq').all();
const activity = () => main.prepare<[], number>('SELECT position FROM user_activity ORDER BY position').pluck().all();

describe('SQLite read-model writes: rows inserted several per statement', () => {
  it('writes every row of a batch whatever its size, and a redaction in the batch finds the message posted before it', () => {
    const count = 2 * ROWS_PER_STATEMENT + 3;
    writes.applyBatch(
      'chat',
      100 + count,
      batchOf((w) => {
        for (let seq = 1; seq <= count; seq++) {
          post(w, seq);
          // Rows of the same statement still wait when the redaction comes.
          if (seq === ROWS_PER_STATEMENT + 2) w.redactMessage(`m${seq}`, 'u1', at, 'typo');
        }
      }),
    );
    const rows = messages();
    expect(rows.map((r) => r.id)).toEqual(Array.from({ length: count }, (_, i) => `m${i + 1}`));
    expect(rows.filter((r) => r.content === null).map((r) => r.id)).toEqual([`m${ROWS_PER_STATEMENT + 2}`]);
    expect(activity()).toEqual(Array.from({ length: count }, (_, i) => 101 + i));
  });

  it('a batch that fails leaves none of its rows behind, neither written nor waiting for the next batch', () => {
    const failing = batchOf((w) => {
      post(w, 1);
      // A value SQLite cannot take: fails when the waiting message rows are written, with the activity rows still waiting.
      w.putMessage({ id: 'm2', threadId: 't1', seq: 2, position: 102, authorId: 'u1', content: {} as unknown as string, clientMessageId: null, createdAt: at });
      w.recordUserActivity('u1', { stream: 'thread-t1', revision: 2, position: 102 });
    });
    expect(() => writes.applyBatch('chat', 102, failing)).toThrow(/can only bind/);
    writes.applyBatch('chat', 103, batchOf((w) => post(w, 3)));
    expect(messages().map((r) => r.id)).toEqual(['m3']);
    expect(activity()).toEqual([103]);
    expect(writes.checkpoint('chat')).toBe(103);
  });
});
