import type Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ROWS_PER_STATEMENT } from '../../src/readmodels/batchedInsert.js';
import type { ReadModelWriter } from '../../src/readmodels/readModelStore.js';
import {
  openReadModelFile,
  openReadModelWriter,
  prepareWrites,
  recordingWriter,
  type Batch,
  type BatchRequest,
} from '../../src/readmodels/sqliteReadModelWrites.js';
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

let nextId = 0;
/** A batch as the writer thread receives it; `after` names an earlier request still unanswered when it was sent. */
const request = (lastPosition: number, write: (w: ReadModelWriter) => void, after: BatchRequest | null = null, projection = 'chat'): BatchRequest => ({
  type: 'batch',
  id: nextId++,
  projection,
  lastPosition,
  batch: batchOf(write),
  after: after?.id ?? null,
});
const errorsOf = (requests: BatchRequest[]) => writes.applyBatches(requests).map((error) => error?.message ?? null);

const messages = () => main.prepare<[], { id: string; content: string | null }>('SELECT id, content FROM messages ORDER BY seq').all();
const activity = () => main.prepare<[], number>('SELECT position FROM user_activity ORDER BY position').pluck().all();

describe('SQLite read-model writes: rows inserted several per statement', () => {
  it('writes every row of a batch whatever its size, and a redaction in the batch finds the message posted before it', () => {
    const count = 2 * ROWS_PER_STATEMENT + 3;
    const errors = errorsOf([
      request(100 + count, (w) => {
        for (let seq = 1; seq <= count; seq++) {
          post(w, seq);
          // Rows of the same statement still wait when the redaction comes.
          if (seq === ROWS_PER_STATEMENT + 2) w.redactMessage(`m${seq}`, 'u1', at, 'typo');
        }
      }),
    ]);
    expect(errors).toEqual([null]);
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
    expect(errorsOf([{ ...request(102, () => undefined), batch: failing }])).toEqual([expect.stringMatching(/can only bind/)]);
    expect(errorsOf([request(103, (w) => post(w, 3))])).toEqual([null]);
    expect(messages().map((r) => r.id)).toEqual(['m3']);
    expect(activity()).toEqual([103]);
    expect(writes.checkpoint('chat')).toBe(103);
  });
});

describe('SQLite read-model writes: batches waiting together', () => {
  /** WAL frames written since the last call (each call empties the WAL). */
  const framesWritten = () => {
    const [{ log }] = main.pragma('wal_checkpoint(PASSIVE)') as [{ log: number }];
    main.pragma('wal_checkpoint(TRUNCATE)');
    return log;
  };

  it('share one transaction, which writes each page they change once', () => {
    framesWritten();
    expect(errorsOf([1, 2, 3, 4].map((seq) => request(100 + seq, (w) => post(w, seq))))).toEqual([null, null, null, null]);
    const together = framesWritten();
    for (const seq of [5, 6, 7, 8]) expect(errorsOf([request(100 + seq, (w) => post(w, seq))])).toEqual([null]);
    const apart = framesWritten();

    expect(together).toBeGreaterThan(0);
    expect(together).toBeLessThan(apart);
    expect(messages().map((r) => r.id)).toEqual(['m1', 'm2', 'm3', 'm4', 'm5', 'm6', 'm7', 'm8']);
    expect(writes.checkpoint('chat')).toBe(108);
  });

  it('a failing batch among them fails alone, with the batches sent after it; the others apply', () => {
    const first = request(101, (w) => post(w, 1));
    const failing = request(102, (w) => w.putMessage({ id: 'm2', threadId: 't1', seq: 2, position: 102, authorId: 'u1', content: {} as unknown as string, clientMessageId: null, createdAt: at }), first);
    const behind = request(103, (w) => post(w, 3), failing);
    const otherProjection = request(7, (w) => w.putUser({ id: 'u9', username: 'nine', email: 'nine@example.test', role: 'member', createdAt: at }), null, 'other');

    expect(errorsOf([first, failing, behind, otherProjection])).toEqual([
      null,
      expect.stringMatching(/can only bind/),
      expect.stringMatching(/earlier batch of projection chat failed/),
      null,
    ]);
    expect(messages().map((r) => r.id)).toEqual(['m1']);
    expect(activity()).toEqual([101]);
    expect(writes.checkpoint('chat')).toBe(101);
    expect(writes.checkpoint('other')).toBe(7);

    // Sent before the failure was known, behind the refused one: refused too; another projection's batch with it applies.
    const eight = { id: 'u8', username: 'eight', email: 'eight@example.test', role: 'member' as const, createdAt: at };
    expect(errorsOf([request(104, (w) => post(w, 4), behind), request(8, (w) => w.putUser(eight), otherProjection, 'other')])).toEqual([
      expect.stringMatching(/earlier batch/),
      null,
    ]);
    expect(messages().map((r) => r.id)).toEqual(['m1']);
    expect(writes.checkpoint('other')).toBe(8);
  });
});
