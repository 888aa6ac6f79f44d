import type Database from 'better-sqlite3';

/**
 * The SQLite read models' schema. The big tables (messages, user_activity,
 * report_events: a row or two per event) declare no key inline: their unique
 * keys are indexes of their own (KEY_INDEXES), so that a bulk load can write the
 * rows first and build some keys once at the end. Building an index sorts its
 * rows once; maintaining it inserts every row into a page of it, on the writer
 * thread, which in a rebuild is as busy as the thread reading the log. What is
 * built at the end is built while nothing else runs.
 */

const TABLES = `
CREATE TABLE IF NOT EXISTS checkpoints (projection TEXT PRIMARY KEY, position INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS users (
  id TEXT PRIMARY KEY, username TEXT NOT NULL, email TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS threads (
  id TEXT PRIMARY KEY, title TEXT NOT NULL, visibility TEXT NOT NULL, created_by TEXT NOT NULL,
  created_at TEXT NOT NULL, last_activity_at TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS members (
  thread_id TEXT NOT NULL, user_id TEXT NOT NULL, role TEXT NOT NULL, joined_at TEXT NOT NULL,
  PRIMARY KEY (thread_id, user_id));
CREATE TABLE IF NOT EXISTS messages (
  id TEXT NOT NULL, thread_id TEXT NOT NULL, seq INTEGER NOT NULL, position INTEGER NOT NULL,
  author_id TEXT NOT NULL, content TEXT, client_message_id TEXT, created_at TEXT NOT NULL,
  redacted INTEGER NOT NULL DEFAULT 0, redacted_by TEXT, redacted_at TEXT, redaction_reason TEXT);
CREATE TABLE IF NOT EXISTS reports (
  id TEXT PRIMARY KEY, message_id TEXT NOT NULL, thread_id TEXT NOT NULL, reporter_id TEXT NOT NULL,
  reason TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
  reviewed_by TEXT, reviewed_at TEXT, note TEXT);
CREATE TABLE IF NOT EXISTS user_activity (
  user_id TEXT NOT NULL, position INTEGER NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS report_events (
  message_id TEXT NOT NULL, position INTEGER NOT NULL, stream TEXT NOT NULL, revision INTEGER NOT NULL);
-- Redactions a bulk load could not apply yet (a message is found by its id, whose index comes last): applied and
-- emptied when the load finishes. Always empty in a file that is served.
CREATE TABLE IF NOT EXISTS pending_redactions (
  message_id TEXT, redacted_by TEXT, redacted_at TEXT, redaction_reason TEXT);
`;

/** The small tables' indexes: always maintained row by row. */
const SMALL_INDEXES = `
CREATE INDEX IF NOT EXISTS threads_by_activity ON threads (last_activity_at DESC);
CREATE INDEX IF NOT EXISTS members_by_user ON members (user_id);
CREATE INDEX IF NOT EXISTS reports_queue ON reports (status, created_at, id);
CREATE INDEX IF NOT EXISTS reports_by_message ON reports (message_id);
CREATE INDEX IF NOT EXISTS reports_by_thread ON reports (thread_id, message_id);
`;

/** Every table a truncate empties. */
export const READ_MODEL_TABLES = ['users', 'threads', 'members', 'messages', 'reports', 'user_activity', 'report_events', 'pending_redactions'];

/**
 * `PRAGMA user_version` of a file: 0 for files made before the big tables' keys
 * became indexes of their own (their tables declare them inline, which
 * `CREATE TABLE IF NOT EXISTS` leaves as they are), KEYS_AS_INDEXES since.
 */
const INLINE_KEYS = 0;
const KEYS_AS_INDEXES = 1;

interface KeyIndex {
  name: string;
  table: string;
  columns: string;
  /** Declared inline (PRIMARY KEY) by INLINE_KEYS files, which therefore lack this index and need not build it. */
  inlineBefore: boolean;
  /**
   * Built at the end of a bulk load rather than maintained during it. Only the message ids': the keys sorted by a
   * user or a thread cost more to sort at the end (user_activity_by_user alone took ~160-280 ms of a 200,000-event
   * rebuild) than to maintain on the writer thread, which keeps up with the reading thread either way
   * (docs/benchmarks-history.md, session 11). Redactions wait for this one (see `prepareWrites`).
   */
  deferred: boolean;
}

const KEY_INDEXES: readonly KeyIndex[] = [
  { name: 'messages_by_id', table: 'messages', columns: 'id', inlineBefore: true, deferred: true },
  { name: 'messages_by_thread', table: 'messages', columns: 'thread_id, seq', inlineBefore: false, deferred: false },
  { name: 'user_activity_by_user', table: 'user_activity', columns: 'user_id, position', inlineBefore: true, deferred: false },
  { name: 'report_events_by_message', table: 'report_events', columns: 'message_id, position', inlineBefore: true, deferred: false },
];

/**
 * Creates what is missing of the schema; a file made by earlier code keeps its
 * layout. With `deferKeys` (a bulk load) the deferred key indexes are left for
 * `finishBulkLoad`.
 */
export function createSchema(db: Database.Database, { deferKeys }: { deferKeys: boolean }): void {
  db.transaction(() => {
    const fresh = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'messages'").get() === undefined;
    db.exec(TABLES);
    db.exec(SMALL_INDEXES);
    if (fresh) db.pragma(`user_version = ${KEYS_AS_INDEXES}`);
  }).immediate();
  if (deferKeys) buildKeyIndexes(db, (index) => !index.deferred);
  else finishBulkLoad(db);
}

/**
 * Makes a bulk-loaded file servable: builds the key indexes it lacks and applies
 * the redactions it deferred. Does nothing to a file that has both (any file
 * opened for serving goes through here, so one whose bulk load was interrupted
 * is completed before it is used).
 *
 * A bulk load inserts without the deferred keys, so their `INSERT OR IGNORE`s
 * ignore nothing; if the log did repeat such a key (a message id), the index
 * build fails and the rows after the first of each key are deleted before it is
 * built again: what ignoring them at insert would have left.
 */
export function finishBulkLoad(db: Database.Database): void {
  buildKeyIndexes(db, () => true);
  applyPendingRedactions(db);
}

function buildKeyIndexes(db: Database.Database, which: (index: KeyIndex) => boolean): void {
  const layout = db.pragma('user_version', { simple: true }) as number;
  for (const index of KEY_INDEXES) {
    if (layout === INLINE_KEYS && index.inlineBefore) continue;
    if (which(index)) buildUniqueIndex(db, index);
  }
}

function buildUniqueIndex(db: Database.Database, { name, table, columns }: KeyIndex): void {
  const create = `CREATE UNIQUE INDEX IF NOT EXISTS ${name} ON ${table} (${columns})`;
  try {
    db.exec(create);
  } catch (error) {
    if ((error as { code?: unknown }).code !== 'SQLITE_CONSTRAINT_UNIQUE') throw error;
    // Rows are never deleted from these tables but by a truncate, so the lowest rowid is the first inserted.
    db.transaction(() => {
      db.exec(`DELETE FROM ${table} WHERE rowid NOT IN (SELECT min(rowid) FROM ${table} GROUP BY ${columns})`);
      db.exec(create);
    }).immediate();
  }
}

/**
 * A message is only ever changed by redactions, so applying the last one of each
 * message at the end leaves it as applying them all in log order would have
 * (a message is always posted before it is redacted).
 */
function applyPendingRedactions(db: Database.Database): void {
  // Checked first: a served file has none, and opening it should not wait for the write lock.
  if (db.prepare('SELECT 1 FROM pending_redactions LIMIT 1').get() === undefined) return;
  db.transaction(() => {
    db.exec(`
      UPDATE messages SET content = NULL, redacted = 1, redacted_by = r.redacted_by, redacted_at = r.redacted_at,
        redaction_reason = r.redaction_reason
      FROM pending_redactions AS r
      WHERE messages.id = r.message_id AND r.rowid IN (SELECT max(rowid) FROM pending_redactions GROUP BY message_id);
      DELETE FROM pending_redactions;
    `);
  }).immediate();
}
