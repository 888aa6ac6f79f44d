import type { Worker } from 'node:worker_threads';
import type { ThreadRole } from '../domain/thread.js';
import { siblingModule, startWorker } from '../workerThreads.js';
import type {
  MemberView,
  MessageView,
  ReadModelStore,
  EventRef,
  ReportFilter,
  ReportView,
  ThreadView,
  UserView,
} from './readModelStore.js';
import { BatchSequence } from './batchSequence.js';
import { decodeReportCursor, encodeReportCursor } from './reportCursor.js';
import { startCheckpointer } from './sqliteCheckpointer.js';
import { claimUnsynced, currentBootId } from './unsyncedWrites.js';
import {
  openReadModelFile,
  recordingWriter,
  type Batch,
  type ReadModelFileOptions,
  type WriterReply,
  type WriterRequest,
} from './sqliteReadModelWrites.js';

interface ThreadRow {
  id: string;
  title: string;
  visibility: ThreadView['visibility'];
  created_by: string;
  created_at: string;
  last_activity_at: string;
  member_count: number;
}

interface MessageRow {
  id: string;
  thread_id: string;
  seq: number;
  position: number;
  author_id: string;
  username: string | null;
  email: string | null;
  content: string | null;
  created_at: string;
  redacted: number;
  redacted_by: string | null;
  redacted_at: string | null;
}

interface ReportRow {
  id: string;
  message_id: string;
  thread_id: string;
  reporter_id: string;
  reason: string;
  status: ReportView['status'];
  created_at: string;
  reviewed_by: string | null;
  reviewed_at: string | null;
  note: string | null;
}

const THREAD_COLUMNS = `t.*, (SELECT count(*) FROM members m WHERE m.thread_id = t.id) AS member_count`;
const MESSAGE_COLUMNS = `msg.*, u.username, u.email`;

const toThread = (r: ThreadRow): ThreadView => ({
  id: r.id,
  title: r.title,
  visibility: r.visibility,
  createdBy: r.created_by,
  createdAt: r.created_at,
  lastActivityAt: r.last_activity_at,
  memberCount: r.member_count,
});

const toMessage = (r: MessageRow): MessageView => ({
  id: r.id,
  threadId: r.thread_id,
  seq: r.seq,
  position: r.position,
  author: { id: r.author_id, username: r.username ?? '', email: r.email ?? '' },
  content: r.redacted ? null : r.content,
  createdAt: r.created_at,
  redacted: r.redacted === 1,
  redactedBy: r.redacted_by,
  redactedAt: r.redacted_at,
});

const toReport = (r: ReportRow): ReportView => ({
  id: r.id,
  messageId: r.message_id,
  threadId: r.thread_id,
  reporterId: r.reporter_id,
  reason: r.reason,
  status: r.status,
  createdAt: r.created_at,
  reviewedBy: r.reviewed_by,
  reviewedAt: r.reviewed_at,
  note: r.note,
});

/**
 * Read models in their own SQLite file, separate from the event log. Queries run
 * on the calling thread; writes go to a writer thread (sqliteReadModelWriterThread.ts),
 * so a batch's inserts never hold up the event loop, and a rebuild projects the
 * next page while the previous one commits. WAL checkpoints run on a third
 * thread (sqliteCheckpointer.ts).
 *
 * `bulkLoad` is for a rebuild into a fresh file that nothing serves yet: no
 * fsync at all, the writer checkpoints the WAL itself, and the message ids' key
 * and the redactions are left for `close`, which builds and applies them (see
 * `finishBulkLoad`): queries are right only after it. Its close does
 * not sync the file either: `syncToDisk` does, once the file is in use (see
 * `SqliteReadModelStore`). Reopened without it, the file is an ordinary
 * read-model store.
 */
export function openSqliteReadModels(file: string, options: ReadModelFileOptions = {}): SqliteReadModelStore {
  // Written with no fsync where a boot id tells a process crash (harmless) from a machine one (unsyncedWrites.ts).
  // Without one, a served file keeps its fsyncs, and a bulk load is synced by its close's checkpoint.
  const bootId = currentBootId();
  const claim = bootId ? claimUnsynced(file, bootId) : null;
  const fileOptions: ReadModelFileOptions = { ...options, unsynced: claim !== null };
  const db = openReadModelFile(file, fileOptions);
  const writer = new WriterThread(file, fileOptions);
  const checkpointer = options.bulkLoad ? null : startCheckpointer(file, { unsynced: claim !== null });

  const s = {
    checkpoint: db.prepare<[string], number>('SELECT position FROM checkpoints WHERE projection = ?').pluck(),
    getUser: db.prepare<[string], { id: string; username: string; email: string; role: UserView['role']; created_at: string }>(
      'SELECT * FROM users WHERE id = ?',
    ),
    getThread: db.prepare<[string], ThreadRow>(`SELECT ${THREAD_COLUMNS} FROM threads t WHERE t.id = ?`),
    listMembers: db.prepare<[string], { user_id: string; username: string | null; role: ThreadRole; joined_at: string }>(
      `SELECT m.user_id, u.username, m.role, m.joined_at FROM members m LEFT JOIN users u ON u.id = m.user_id
       WHERE m.thread_id = ? ORDER BY m.joined_at, m.user_id`,
    ),
    memberRole: db.prepare<[string, string], { role: ThreadRole }>('SELECT role FROM members WHERE thread_id = ? AND user_id = ?'),
    visibleThreads: db.prepare<[string, number], ThreadRow>(
      `SELECT ${THREAD_COLUMNS} FROM threads t
       WHERE t.visibility = 'public' OR t.id IN (SELECT thread_id FROM members WHERE user_id = ?)
       ORDER BY t.last_activity_at DESC, t.id LIMIT ?`,
    ),
    messagesBefore: db.prepare<[string, number, number], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages msg LEFT JOIN users u ON u.id = msg.author_id
       WHERE msg.thread_id = ? AND msg.seq < ? ORDER BY msg.seq DESC LIMIT ?`,
    ),
    getMessage: db.prepare<[string], MessageRow>(
      `SELECT ${MESSAGE_COLUMNS} FROM messages msg LEFT JOIN users u ON u.id = msg.author_id WHERE msg.id = ?`,
    ),
    getReport: db.prepare<[string], ReportRow>('SELECT * FROM reports WHERE id = ?'),
    userActivity: db.prepare<[string, number, number], EventRef>(
      `SELECT stream, revision, position FROM user_activity WHERE user_id = ? AND position < ? ORDER BY position DESC LIMIT ?`,
    ),
    threadReportEvents: db.prepare<[string, number, number, number], EventRef>(
      `SELECT stream, revision, position FROM report_events
       WHERE message_id IN (SELECT message_id FROM reports WHERE thread_id = ?) AND position > ? AND position <= ?
       ORDER BY position LIMIT ?`,
    ),
  };

  const committedCheckpoint = (projection: string) => s.checkpoint.get(projection) ?? 0;
  /**
   * The highest position each projection has handed over here. A live server's batches always go past it, and
   * then the checkpoint need not be read: not skipping is always safe (the writer checks again), only a skip must
   * rest on the checkpoint as stored. That read was ~7 µs per post at 500 posts/s.
   */
  const handedOver = new Map<string, number>();
  /** Tickets are the writer's request ids: a batch names its unsettled predecessor, and the writer skips it if that one failed. */
  const batches = new BatchSequence<number>();
  let closing: Promise<void> | null = null;
  /** Once `close` has finished: nothing writes the file any more. */
  let closed = false;

  return {
    async checkpoint(projection) {
      await batches.resume(projection);
      return committedCheckpoint(projection);
    },
    applyBatch(projection, lastPosition, write) {
      // Not async: `write` runs before this returns, so batches reach the writer in call order.
      const batch: Batch = { ops: [], strings: [] };
      try {
        if (closing) throw new Error('read models are closed');
        // A batch at or below the checkpoint was applied already: not even projected (the writer checks again, in its transaction).
        const highest = handedOver.get(projection);
        if ((highest === undefined || lastPosition <= highest) && lastPosition <= committedCheckpoint(projection)) return Promise.resolve();
        handedOver.set(projection, Math.max(lastPosition, highest ?? 0));
        const recording = recordingWriter(batch);
        write(recording.writer);
        recording.finish();
      } catch (error) {
        batches.fail(projection);
        return Promise.reject(error);
      }
      // Sent at once, not when the previous batch has been answered: the writer goes from one batch straight to the next.
      return batches.add(projection, (previous) => {
        const request = writer.request((id) => ({ type: 'batch', id, projection, lastPosition, batch, after: previous?.ticket ?? null }));
        return { ticket: request.id, committed: request.done };
      });
    },
    async truncate(projection) {
      await batches.settled();
      handedOver.delete(projection);
      await writer.request((id) => ({ type: 'truncate', id, projection })).done;
    },
    async getUser(userId) {
      const r = s.getUser.get(userId);
      return r ? { id: r.id, username: r.username, email: r.email, role: r.role, createdAt: r.created_at } : null;
    },
    async getThread(threadId) {
      const r = s.getThread.get(threadId);
      return r ? toThread(r) : null;
    },
    async listMembers(threadId): Promise<MemberView[]> {
      return s.listMembers.all(threadId).map((r) => ({ userId: r.user_id, username: r.username ?? '', role: r.role, joinedAt: r.joined_at }));
    },
    async getMemberRole(threadId, userId) {
      return s.memberRole.get(threadId, userId)?.role ?? null;
    },
    async listThreadsVisibleTo(userId, limit) {
      return s.visibleThreads.all(userId, limit).map(toThread);
    },
    async listMessages(threadId, { beforeSeq, limit }) {
      const rows = s.messagesBefore.all(threadId, beforeSeq ?? Number.MAX_SAFE_INTEGER, limit + 1);
      const hasMore = rows.length > limit;
      return { results: rows.slice(0, limit).reverse().map(toMessage), hasMore };
    },
    async getMessage(messageId) {
      const r = s.getMessage.get(messageId);
      return r ? toMessage(r) : null;
    },
    async getReport(reportId) {
      const r = s.getReport.get(reportId);
      return r ? toReport(r) : null;
    },
    async listReports(filter: ReportFilter) {
      const where: string[] = [];
      const params: (string | number)[] = [];
      const condition = (sql: string, ...values: string[]) => {
        where.push(sql);
        params.push(...values);
      };
      if (filter.status) condition('status = ?', filter.status);
      if (filter.threadId) condition('thread_id = ?', filter.threadId);
      if (filter.reporterId) condition('reporter_id = ?', filter.reporterId);
      const after = filter.cursor ? decodeReportCursor(filter.cursor) : null;
      if (after) condition('(created_at, id) > (?, ?)', ...after);
      const sql = `SELECT * FROM reports ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
                   ORDER BY created_at, id LIMIT ?`;
      const rows = db.prepare<(string | number)[], ReportRow>(sql).all(...params, filter.limit + 1);
      const page = rows.slice(0, filter.limit);
      const last = page[page.length - 1];
      return { results: page.map(toReport), nextCursor: rows.length > filter.limit && last ? encodeReportCursor(last.created_at, last.id) : null };
    },
    async countReportsByMessage(messageIds) {
      if (messageIds.length === 0) return {};
      const rows = db
        .prepare<string[], { message_id: string; n: number }>(
          `SELECT message_id, count(*) AS n FROM reports WHERE message_id IN (${messageIds.map(() => '?').join(', ')}) GROUP BY message_id`,
        )
        .all(...messageIds);
      return Object.fromEntries(rows.map((r) => [r.message_id, r.n]));
    },
    async listUserActivity(userId, { beforePosition, limit }) {
      const rows = s.userActivity.all(userId, beforePosition ?? Number.MAX_SAFE_INTEGER, limit + 1);
      return { results: rows.slice(0, limit), hasMore: rows.length > limit };
    },
    async listThreadReportEvents(threadId, { afterPosition, upToPosition, limit }) {
      return s.threadReportEvents.all(threadId, afterPosition, upToPosition ?? Number.MAX_SAFE_INTEGER, limit);
    },
    close() {
      closing ??= (async () => {
        await batches.settled();
        try {
          // Resolving means the file can be served: a bulk load's keys must exist by then.
          if (options.bulkLoad) await writer.request((id) => ({ type: 'finishBulkLoad', id })).done;
        } finally {
          await writer.close();
          db.close();
          await checkpointer?.stop();
          if (!options.bulkLoad) claim?.release();
          closed = true;
        }
      })();
      return closing;
    },
    syncToDisk() {
      if (!closed) throw new Error('syncToDisk comes after close');
      if (options.bulkLoad) claim?.release();
    },
  };
}

/**
 * The SQLite read models. A bulk load's `close` leaves the file as the page
 * cache holds it, guarded by its unsynced-writes marker: a machine crash before
 * the file reaches the disk discards it, as for a served file. Syncing the whole
 * new file (an fsync of ~150 MB for 200,000 events) took as long as building its
 * indexes, and a rebuild's file can be switched to without waiting for it.
 */
export interface SqliteReadModelStore extends ReadModelStore {
  /**
   * After `close` of a bulk load: syncs the file and removes its marker, so that
   * a reboot does not discard it (once a server has it open, that server's own
   * close does the same). Nothing to do for any other store, whose close syncs.
   */
  syncToDisk(): void;
}

/** The main thread's side of the writer thread: requests are answered in the order they were sent. */
class WriterThread {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(): void; reject(error: Error): void }>();
  private nextId = 0;
  private failure: Error | null = null;
  private closed = false;
  private readonly exited: Promise<void>;

  constructor(file: string, options: ReadModelFileOptions) {
    this.worker = startWorker(siblingModule(import.meta.url, 'sqliteReadModelWriterThread'), {
      file,
      bulkLoad: options.bulkLoad ?? false,
      unsynced: options.unsynced ?? false,
    });
    // Referenced only while a request is in flight: an idle store does not keep the process alive.
    this.worker.unref();
    this.worker.on('message', (reply: WriterReply) => this.settle(reply));
    this.worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => this.worker.once('exit', () => resolve()));
    this.worker.once('exit', () => this.fail(new Error('the read-model writer thread exited')));
  }

  /** Sends the request `build` makes with its id; `done` settles with the writer's answer. */
  request(build: (id: number) => Exclude<WriterRequest, { type: 'close' }>): { id: number; done: Promise<void> } {
    const id = this.nextId++;
    if (this.failure) return { id, done: Promise.reject(this.failure) };
    if (this.closed) return { id, done: Promise.reject(new Error('read models are closed')) };
    const done = new Promise<void>((resolve, reject) => {
      if (this.pending.size === 0) this.worker.ref();
      this.pending.set(id, { resolve, reject });
    });
    this.worker.postMessage(build(id));
    return { id, done };
  }

  /** After every request sent so far has been answered. */
  async close(): Promise<void> {
    if (!this.closed && !this.failure) {
      this.closed = true;
      this.worker.ref();
      this.worker.postMessage({ type: 'close' } satisfies WriterRequest);
    }
    this.closed = true;
    await this.exited;
  }

  private settle(reply: WriterReply): void {
    const request = this.pending.get(reply.id);
    if (!request) return;
    this.pending.delete(reply.id);
    if (this.pending.size === 0 && !this.closed) this.worker.unref();
    if (!reply.error) return request.resolve();
    request.reject(Object.assign(new Error(reply.error.message), reply.error.code ? { code: reply.error.code } : {}));
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const request of this.pending.values()) request.reject(error);
    this.pending.clear();
    if (!this.closed) void this.worker.terminate();
  }
}
