import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { ThreadRole } from '../domain/thread.js';
import { WAL_AUTOCHECKPOINT_PAGES } from '../eventstore/sqliteSchema.js';
import { startCheckpointer } from './sqliteCheckpointer.js';
import type {
  MemberView,
  MessageView,
  ReadModelStore,
  EventRef,
  ReadModelWriter,
  ReportFilter,
  ReportView,
  ThreadView,
  UserView,
} from './readModelStore.js';
import { decodeReportCursor, encodeReportCursor } from './reportCursor.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, username TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS threads (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, visibility TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at TEXT NOT NULL, last_activity_at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS threads_by_activity ON threads (last_activity_at DESC);
CREATE TABLE IF NOT EXISTS members (
  thread_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL, joined_at TEXT NOT NULL,
  PRIMARY KEY (thread_id, user_id));
CREATE INDEX IF NOT EXISTS members_by_user ON members (user_id);
CREATE TABLE IF NOT EXISTS messages (
  id TEXT PRIMARY KEY, thread_id TEXT NOT NULL, seq INTEGER NOT NULL, position INTEGER NOT NULL,
  author_id TEXT NOT NULL, content TEXT, client_message_id TEXT, created_at TEXT NOT NULL,
  redacted INTEGER NOT NULL DEFAULT 0, redacted_by TEXT, redacted_at TEXT, redaction_reason TEXT);
CREATE UNIQUE INDEX IF NOT EXISTS messages_by_thread ON messages (thread_id, seq);
CREATE TABLE IF NOT EXISTS reports (
  id TEXT PRIMARY KEY, message_id TEXT NOT NULL, thread_id TEXT NOT NULL, reporter_id TEXT NOT NULL,
  reason TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
  reviewed_by TEXT, reviewed_at TEXT, note TEXT);
CREATE INDEX IF NOT EXISTS reports_queue ON reports (status, created_at, id);
CREATE INDEX IF NOT EXISTS reports_by_message ON reports (message_id);
CREATE INDEX IF NOT EXISTS reports_by_thread ON reports (thread_id, message_id);
CREATE TABLE IF NOT EXISTS user_activity (
  user_id TEXT NOT NULL, position INTEGER NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL,
  PRIMARY KEY (user_id, position));
CREATE TABLE IF NOT EXISTS report_events (
  message_id TEXT NOT NULL, position INTEGER NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL,
  PRIMARY KEY (message_id, position));
`;

const TABLES = ['users', 'threads', 'members', 'messages', 'reports', 'user_activity', 'report_events'];

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


/** Read models in their own SQLite file, separate from the event log. */
/**
 * `bulkLoad` is for a rebuild into a fresh file that nothing serves yet: no
 * fsync at all (a crash of the machine means rebuilding again) and a larger
 * page cache. Reopened without it, the file is an ordinary read-model store.
 */
export function openSqliteReadModels(file: string, options: { bulkLoad?: boolean } = {}): ReadModelStore {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  // Read models are rebuildable from the log: losing the last batch on power loss only replays it.
  db.pragma(options.bulkLoad ? 'synchronous = OFF' : 'synchronous = NORMAL');
  if (options.bulkLoad) db.pragma('cache_size = -65536');
  db.pragma('busy_timeout = 5000');
  // Served files checkpoint on a worker thread, never inside a projection's commit on the main thread. A bulk
  // load has no one waiting on it; as for the log (see WAL_AUTOCHECKPOINT_PAGES), a longer WAL copies each page once.
  db.pragma(`wal_autocheckpoint = ${options.bulkLoad ? WAL_AUTOCHECKPOINT_PAGES : 0}`);
  const checkpointer = options.bulkLoad ? null : startCheckpointer(file);
  db.exec(SCHEMA);

  const s = {
    checkpoint: db.prepare<[string], { position: number }>('SELECT position FROM checkpoints WHERE projection = ?'),
    setCheckpoint: db.prepare(
      'INSERT INTO checkpoints (projection, position) VALUES (?, ?) ON CONFLICT (projection) DO UPDATE SET position = excluded.position',
    ),
    putUser: db.prepare(
      `INSERT INTO users (id, username, email, role, created_at) VALUES (@id, @username, @email, @role, @createdAt)
       ON CONFLICT (id) DO UPDATE SET username = excluded.username, email = excluded.email, role = excluded.role`,
    ),
    setUserRole: db.prepare('UPDATE users SET role = ? WHERE id = ?'),
    putThread: db.prepare(
      `INSERT INTO threads (id, title, visibility, created_by, created_at, last_activity_at)
       VALUES (@id, @title, @visibility, @createdBy, @createdAt, @createdAt)
       ON CONFLICT (id) DO UPDATE SET title = excluded.title, visibility = excluded.visibility`,
    ),
    touchThread: db.prepare('UPDATE threads SET last_activity_at = max(last_activity_at, ?) WHERE id = ?'),
    putMember: db.prepare(
      `INSERT INTO members (thread_id, user_id, role, joined_at) VALUES (@threadId, @userId, @role, @joinedAt)
       ON CONFLICT (thread_id, user_id) DO UPDATE SET role = excluded.role, joined_at = excluded.joined_at`,
    ),
    setMemberRole: db.prepare('UPDATE members SET role = ? WHERE thread_id = ? AND user_id = ?'),
    removeMember: db.prepare('DELETE FROM members WHERE thread_id = ? AND user_id = ?'),
    putMessage: db.prepare(
      `INSERT OR IGNORE INTO messages (id, thread_id, seq, position, author_id, content, client_message_id, created_at)
       VALUES (@id, @threadId, @seq, @position, @authorId, @content, @clientMessageId, @createdAt)`,
    ),
    redactMessage: db.prepare(
      `UPDATE messages SET content = NULL, redacted = 1, redacted_by = ?, redacted_at = ?, redaction_reason = ? WHERE id = ?`,
    ),
    putReport: db.prepare(
      `INSERT OR IGNORE INTO reports (id, message_id, thread_id, reporter_id, reason, status, created_at)
       VALUES (@id, @messageId, @threadId, @reporterId, @reason, 'pending', @createdAt)`,
    ),
    reviewReport: db.prepare('UPDATE reports SET status = ?, reviewed_by = ?, note = ?, reviewed_at = ? WHERE id = ?'),
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
    recordUserActivity: db.prepare(
      'INSERT OR IGNORE INTO user_activity (user_id, position, stream, revision) VALUES (@userId, @position, @stream, @revision)',
    ),
    recordReportEvent: db.prepare(
      'INSERT OR IGNORE INTO report_events (message_id, position, stream, revision) VALUES (@messageId, @position, @stream, @revision)',
    ),
    userActivity: db.prepare<[string, number, number], EventRef>(
      `SELECT stream, revision, position FROM user_activity WHERE user_id = ? AND position < ? ORDER BY position DESC LIMIT ?`,
    ),
    threadReportEvents: db.prepare<[string, number, number, number], EventRef>(
      `SELECT stream, revision, position FROM report_events
       WHERE message_id IN (SELECT message_id FROM reports WHERE thread_id = ?) AND position > ? AND position <= ?
       ORDER BY position LIMIT ?`,
    ),
  };

  const touched = new Map<string, string>();
  const writer: ReadModelWriter = {
    putUser: (user) => s.putUser.run(user),
    setUserRole: (userId, role) => s.setUserRole.run(role, userId),
    putThread: (thread) => s.putThread.run(thread),
    // Coalesced: a batch of a thousand posts to one thread updates it once, at commit.
    touchThread: (threadId, at) => {
      const seen = touched.get(threadId);
      if (seen === undefined || at > seen) touched.set(threadId, at);
    },
    putMember: (member) => s.putMember.run(member),
    setMemberRole: (threadId, userId, role) => s.setMemberRole.run(role, threadId, userId),
    removeMember: (threadId, userId) => s.removeMember.run(threadId, userId),
    putMessage: (message) => s.putMessage.run(message),
    redactMessage: (messageId, by, at, reason) => s.redactMessage.run(by, at, reason, messageId),
    putReport: (report) => s.putReport.run(report),
    reviewReport: (reportId, r) => s.reviewReport.run(r.status, r.moderatorId, r.note, r.at, reportId),
    recordUserActivity: (userId, ref) => s.recordUserActivity.run({ userId, ...ref }),
    recordReportEvent: (messageId, ref) => s.recordReportEvent.run({ messageId, ...ref }),
  };

  const currentCheckpoint = (projection: string) => s.checkpoint.get(projection)?.position ?? 0;
  const applyBatch = db.transaction((projection: string, lastPosition: number, write: (w: ReadModelWriter) => void) => {
    // Checked inside the transaction: a batch at or below the checkpoint was applied already.
    if (lastPosition <= currentCheckpoint(projection)) return;
    touched.clear();
    write(writer);
    for (const [threadId, at] of touched) s.touchThread.run(at, threadId);
    s.setCheckpoint.run(projection, lastPosition);
  });

  return {
    async checkpoint(projection) {
      return currentCheckpoint(projection);
    },
    async applyBatch(projection, lastPosition, write) {
      applyBatch(projection, lastPosition, write);
    },
    async truncate(projection) {
      db.transaction(() => {
        for (const table of TABLES) db.exec(`DELETE FROM ${table}`);
        db.prepare('DELETE FROM checkpoints WHERE projection = ?').run(projection);
      })();
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
    async close() {
      db.close();
      await checkpointer?.stop();
    },
  };
}
