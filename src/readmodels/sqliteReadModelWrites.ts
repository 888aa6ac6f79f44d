import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { WAL_AUTOCHECKPOINT_PAGES } from '../eventstore/sqliteSchema.js';
import { batchedInsert } from './batchedInsert.js';
import { batchRefused } from './batchSequence.js';
import type { ReadModelWriter } from './readModelStore.js';
import { createSchema, READ_MODEL_TABLES } from './sqliteReadModelSchema.js';

/**
 * Every write to the SQLite read models, shared by the main thread (which
 * records a batch's writes as operations) and the writer thread (which runs
 * them, see sqliteReadModelWriterThread.ts); and the connections to the file.
 */

/**
 * Page size of a new read-model file (SQLite's default is 4 KiB). Nearly every
 * event adds a message row and an activity row, each to a table and one or two
 * indexes; with 16 KiB pages a rebuild does about a sixth less b-tree work, and
 * a live batch still rewrites only the few pages it touches. An existing file
 * keeps the page size it was created with.
 */
const PAGE_SIZE = 16384;

const WRITER_CACHE_KIB = 65536;

export interface ReadModelFileOptions {
  /**
   * A rebuild into a fresh file that nothing serves yet: no fsync while it loads
   * (nor at its close, where `unsynced`), and the message ids' key and the
   * redactions wait for the load to finish (see `finishBulkLoad`), so the file
   * answers queries correctly only once closed.
   */
  bulkLoad?: boolean;
  /** A file written with no fsync at all, guarded by `claimUnsynced` (see unsyncedWrites.ts). */
  unsynced?: boolean;
}

/** The main thread's connection: creates the file and its schema, then serves queries. */
export function openReadModelFile(file: string, options: ReadModelFileOptions): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma(`page_size = ${PAGE_SIZE}`);
  db.pragma('journal_mode = WAL');
  db.pragma('busy_timeout = 5000');
  // This connection only reads once the schema exists: it never checkpoints, but at its close when it is the file's
  // last connection (a bulk load's is), and that checkpoint syncs the file unless it is `unsynced`.
  db.pragma('wal_autocheckpoint = 0');
  if (options.unsynced) db.pragma('synchronous = OFF');
  createSchema(db, { deferKeys: options.bulkLoad ?? false });
  return db;
}

/** The writer thread's connection to a file `openReadModelFile` created. */
export function openReadModelWriter(file: string, options: ReadModelFileOptions): Database.Database {
  const db = new Database(file, { fileMustExist: true });
  // Read models are rebuildable from the log: losing the last batch on power loss only replays it. With `unsynced`,
  // not even the WAL's header is synced when the WAL restarts after a checkpoint (unsyncedWrites.ts says why).
  db.pragma(options.bulkLoad || options.unsynced ? 'synchronous = OFF' : 'synchronous = NORMAL');
  // Up to 64 MiB of pages (SQLite's default is 2 MiB): batches insert into random pages of the id indexes,
  // which otherwise are read back from the OS for every batch once the file outgrows the cache.
  db.pragma(`cache_size = -${WRITER_CACHE_KIB}`);
  db.pragma('busy_timeout = 5000');
  // A served file is checkpointed by its own thread (sqliteCheckpointer.ts), never inside a batch's commit. A bulk
  // load has no one waiting on it; as for the log (see WAL_AUTOCHECKPOINT_PAGES), a longer WAL copies each page once.
  db.pragma(`wal_autocheckpoint = ${options.bulkLoad ? WAL_AUTOCHECKPOINT_PAGES : 0}`);
  return db;
}

/**
 * A batch's writes travel to the writer thread as one flat array: an operation
 * code, then that operation's arguments. Cheaper to copy between threads than an
 * object per write, and no object is made per write on either side. The ids
 * that recur in nearly every event (thread, author, user, stream) go once per
 * batch into `strings` and are referred to by index: that nearly halves what the
 * writer thread has to copy in (41 instead of 70 MB for 200,000 posts), which
 * otherwise took a fifth of its time.
 */
export type Ops = (string | number | null)[];
export interface Batch {
  ops: Ops;
  strings: string[];
}

const PUT_USER = 0;
const SET_USER_ROLE = 1;
const PUT_THREAD = 2;
const TOUCH_THREAD = 3;
const PUT_MEMBER = 4;
const SET_MEMBER_ROLE = 5;
const REMOVE_MEMBER = 6;
const PUT_MESSAGE = 7;
const REDACT_MESSAGE = 8;
const PUT_REPORT = 9;
const REVIEW_REPORT = 10;
const RECORD_USER_ACTIVITY = 11;
const RECORD_REPORT_EVENT = 12;

/**
 * Records one batch's writes into `batch`. Thread touches are coalesced (a batch
 * of a thousand posts to one thread updates it once): call `finish` after the
 * batch to append them, last, as the adapter always applied them.
 */
export function recordingWriter({ ops, strings }: Batch): { writer: ReadModelWriter; finish(): void } {
  const touched = new Map<string, string>();
  const indexes = new Map<string, number>();
  const intern = (value: string) => {
    let index = indexes.get(value);
    if (index === undefined) {
      index = strings.push(value) - 1;
      indexes.set(value, index);
    }
    return index;
  };
  const writer: ReadModelWriter = {
    putUser: (u) => void ops.push(PUT_USER, u.id, u.username, u.email, u.role, u.createdAt),
    setUserRole: (userId, role) => void ops.push(SET_USER_ROLE, userId, role),
    putThread: (t) => void ops.push(PUT_THREAD, t.id, t.title, t.visibility, t.createdBy, t.createdAt),
    touchThread: (threadId, at) => {
      const seen = touched.get(threadId);
      if (seen === undefined || at > seen) touched.set(threadId, at);
    },
    putMember: (m) => void ops.push(PUT_MEMBER, m.threadId, m.userId, m.role, m.joinedAt),
    setMemberRole: (threadId, userId, role) => void ops.push(SET_MEMBER_ROLE, threadId, userId, role),
    removeMember: (threadId, userId) => void ops.push(REMOVE_MEMBER, threadId, userId),
    putMessage: (m) =>
      void ops.push(PUT_MESSAGE, m.id, intern(m.threadId), m.seq, m.position, intern(m.authorId), m.content, m.clientMessageId, m.createdAt),
    redactMessage: (messageId, by, at, reason) => void ops.push(REDACT_MESSAGE, messageId, by, at, reason),
    putReport: (r) => void ops.push(PUT_REPORT, r.id, r.messageId, r.threadId, r.reporterId, r.reason, r.createdAt),
    reviewReport: (reportId, r) => void ops.push(REVIEW_REPORT, reportId, r.status, r.moderatorId, r.note, r.at),
    recordUserActivity: (userId, ref) => void ops.push(RECORD_USER_ACTIVITY, intern(userId), ref.position, intern(ref.stream), ref.revision),
    recordReportEvent: (messageId, ref) => void ops.push(RECORD_REPORT_EVENT, messageId, ref.position, ref.stream, ref.revision),
  };
  return {
    writer,
    finish() {
      for (const [threadId, at] of touched) ops.push(TOUCH_THREAD, threadId, at);
      touched.clear();
    },
  };
}

/**
 * Every write statement, prepared once, and the transaction that applies a batch with its checkpoint.
 * A bulk load (`deferRedactions`) has no index on message ids yet: it sets its redactions aside, to be
 * applied once it has one.
 */
export function prepareWrites(db: Database.Database, { deferRedactions }: { deferRedactions: boolean }) {
  const s = {
    checkpoint: db.prepare<[string], number>('SELECT position FROM checkpoints WHERE projection = ?').pluck(),
    setCheckpoint: db.prepare(
      'INSERT INTO checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
    ),
    putUser: db.prepare(
      `INSERT INTO users (id, username, email, role, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET username = excluded.username, email = excluded.email, role = excluded.role`,
    ),
    setUserRole: db.prepare('UPDATE users SET role = ? WHERE id = ?'),
    putThread: db.prepare(
      `INSERT INTO threads (id, title, visibility, created_by, created_at, last_activity_at) VALUES (?, ?, ?, ?, ?, ?)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, visibility = excluded.visibility`,
    ),
    touchThread: db.prepare('UPDATE threads SET last_activity_at = max(last_activity_at, ?) WHERE id = ?'),
    putMember: db.prepare(
      `INSERT INTO members (thread_id, user_id, role, joined_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (thread_id, user_id) DO UPDATE SET role = excluded.role, joined_at = excluded.joined_at`,
    ),
    setMemberRole: db.prepare('UPDATE members SET role = ? WHERE thread_id = ? AND user_id = ?'),
    removeMember: db.prepare('DELETE FROM members WHERE thread_id = ? AND user_id = ?'),
    redactMessage: db.prepare(
      deferRedactions
        ? 'INSERT INTO pending_redactions (redacted_by, redacted_at, redaction_reason, message_id) VALUES (?, ?, ?, ?)'
        : 'UPDATE messages SET content = NULL, redacted = 1, redacted_by = ?, redacted_at = ?, redaction_reason = ? WHERE id = ?',
    ),
    putReport: db.prepare(
      `INSERT OR IGNORE INTO reports (id, message_id, thread_id, reporter_id, reason, status, created_at)
       VALUES (?, ?, ?, ?, ?, 'pending', ?)`,
    ),
    reviewReport: db.prepare('UPDATE reports SET status = ?, reviewed_by = ?, note = ?, reviewed_at = ? WHERE id = ?'),
    recordReportEvent: db.prepare('INSERT OR IGNORE INTO report_events (message_id, position, stream, revision) VALUES (?, ?, ?, ?)'),
  };

  // Nearly every event adds a row to each; nothing else in a batch reads or changes these tables but a redaction.
  const messages = batchedInsert(
    db,
    'INSERT OR IGNORE INTO messages (id, thread_id, seq, position, author_id, content, client_message_id, created_at)',
    8,
  );
  const userActivity = batchedInsert(db, 'INSERT OR IGNORE INTO user_activity (user_id, position, stream, revision)', 4);
  const flushRows = () => {
    messages.flush();
    userActivity.flush();
  };

  const run = ({ ops, strings }: Batch) => {
    const string = (index: number) => strings[ops[index] as number];
    // Rows a failed batch left waiting are not this batch's.
    messages.discard();
    userActivity.discard();
    let i = 0;
    while (i < ops.length) {
      const op = ops[i];
      // The waiting rows are written before any other write, so that every write sees the ones before it.
      if (op !== PUT_MESSAGE && op !== RECORD_USER_ACTIVITY) flushRows();
      switch (op) {
        case PUT_USER:
          s.putUser.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 5]);
          i += 6;
          break;
        case SET_USER_ROLE:
          s.setUserRole.run(ops[i + 2], ops[i + 1]);
          i += 3;
          break;
        case PUT_THREAD:
          s.putThread.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 5], ops[i + 5]);
          i += 6;
          break;
        case TOUCH_THREAD:
          s.touchThread.run(ops[i + 2], ops[i + 1]);
          i += 3;
          break;
        case PUT_MEMBER:
          s.putMember.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4]);
          i += 5;
          break;
        case SET_MEMBER_ROLE:
          s.setMemberRole.run(ops[i + 3], ops[i + 1], ops[i + 2]);
          i += 4;
          break;
        case REMOVE_MEMBER:
          s.removeMember.run(ops[i + 1], ops[i + 2]);
          i += 3;
          break;
        case PUT_MESSAGE:
          messages.params.push(ops[i + 1], string(i + 2), ops[i + 3], ops[i + 4], string(i + 5), ops[i + 6], ops[i + 7], ops[i + 8]);
          messages.added();
          i += 9;
          break;
        case REDACT_MESSAGE:
          s.redactMessage.run(ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 1]);
          i += 5;
          break;
        case PUT_REPORT:
          s.putReport.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 5], ops[i + 6]);
          i += 7;
          break;
        case REVIEW_REPORT:
          s.reviewReport.run(ops[i + 2], ops[i + 3], ops[i + 4], ops[i + 5], ops[i + 1]);
          i += 6;
          break;
        case RECORD_USER_ACTIVITY:
          userActivity.params.push(string(i + 1), ops[i + 2], string(i + 3), ops[i + 4]);
          userActivity.added();
          i += 5;
          break;
        case RECORD_REPORT_EVENT:
          s.recordReportEvent.run(ops[i + 1], ops[i + 2], ops[i + 3], ops[i + 4]);
          i += 5;
          break;
        default:
          throw new Error(`unknown read-model operation ${String(op)} at ${i}`);
      }
    }
    flushRows();
  };

  const checkpoint = (projection: string): number => s.checkpoint.get(projection) ?? 0;
  const apply = ({ projection, lastPosition, batch }: BatchRequest) => {
    // A batch at or below the checkpoint was applied already.
    if (lastPosition <= checkpoint(projection)) return;
    run(batch);
    s.setCheckpoint.run(projection, lastPosition);
  };
  // IMMEDIATE: a batch reads the checkpoint before it writes, and a deferred transaction whose snapshot another
  // process has committed past cannot take the write lock (SQLITE_BUSY at once, busy_timeout or not), which
  // stopped the projection of one of two servers sharing a data directory.
  const applyOne = db.transaction(apply).immediate;
  const applyAll = db.transaction((requests: readonly BatchRequest[]) => requests.forEach(apply)).immediate;

  /** Batches that failed, which a later batch sent before the failure was known may name as `after`. */
  const failed = new Set<number>();
  const alone = (request: BatchRequest): WriterError | null => {
    try {
      // Applying it would leave the failed batch's events out of the read model.
      if (request.after !== null && failed.delete(request.after)) {
        throw batchRefused(request.projection);
      }
      applyOne(request);
      return null;
    } catch (cause) {
      failed.add(request.id);
      return writerError(cause);
    }
  };

  return {
    checkpoint,
    /**
     * Applies batches in order, each with its checkpoint, and says how each went. Batches waiting together share one
     * transaction: a commit writes every page its batches changed, and batches of random users' activity change pages
     * all over that key, so a rebuild whose writer is behind wrote the same pages once per batch (one commit for up
     * to 8 batches: 63.6k -> 69.8k events/s, median of 11 alternating runs, docs/benchmarks-history.md, session 12). If that
     * transaction fails, it is rolled back and each batch is applied alone: only the failing one fails, with those
     * sent after it (`after`), as if they had never been grouped.
     */
    applyBatches(requests: readonly BatchRequest[]): (WriterError | null)[] {
      const behindFailure = requests.some((request) => request.after !== null && failed.has(request.after));
      if (requests.length > 1 && !behindFailure) {
        try {
          applyAll(requests);
          return requests.map(() => null);
        } catch {
          // Rolled back as a whole: applied alone below, to find the batch that fails.
        }
      }
      return requests.map(alone);
    },
    truncate: db.transaction((projection: string) => {
      for (const table of READ_MODEL_TABLES) db.exec(`DELETE FROM ${table}`);
      db.prepare('DELETE FROM checkpoints WHERE projection = ?').run(projection);
    }).immediate,
  };
}

/** Messages from the main thread to the writer thread, answered in order by a `WriterReply` (but `close`). */
export type WriterRequest =
  | {
      type: 'batch';
      id: number;
      projection: string;
      lastPosition: number;
      batch: Batch;
      /** The projection's previous batch when it had not been answered yet: if that one failed, this one must not apply. */
      after: number | null;
    }
  | { type: 'truncate'; id: number; projection: string }
  /** A bulk load is over: build what it deferred (see `finishBulkLoad`). */
  | { type: 'finishBulkLoad'; id: number }
  | { type: 'close' };

export type BatchRequest = Extract<WriterRequest, { type: 'batch' }>;

export interface WriterError {
  message: string;
  code: string | null;
}

export interface WriterReply {
  id: number;
  /** Why the transaction failed and was rolled back; null once committed. */
  error: WriterError | null;
}

export function writerError(cause: unknown): WriterError {
  const code = (cause as { code?: unknown }).code;
  return { message: cause instanceof Error ? cause.message : String(cause), code: typeof code === 'string' ? code : null };
}
