import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import Database from 'better-sqlite3';

/** Several processes may open the file at once: writers wait for the lock instead of failing. */
const BUSY_TIMEOUT_MS = 5000;
/**
 * Pages the WAL may hold before a commit checkpoints it into the file (SQLite's
 * default is 1,000). Each commit rewrites the index pages it touches (random
 * event ids land on random pages), so a checkpoint every few commits wrote the
 * same pages over and over; a longer WAL copies each page once per checkpoint.
 */
export const WAL_AUTOCHECKPOINT_PAGES = 4000;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS events (
    position INTEGER PRIMARY KEY AUTOINCREMENT,
    id TEXT NOT NULL UNIQUE,
    stream TEXT NOT NULL,
    revision INTEGER NOT NULL,
    type TEXT NOT NULL,
    data TEXT NOT NULL,
    metadata TEXT NOT NULL,
    recorded_at TEXT NOT NULL,
    UNIQUE (stream, revision)
  );
  CREATE TABLE IF NOT EXISTS ephemeral (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    channel TEXT NOT NULL,
    payload TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );
`;

/**
 * The reading connection: creates the schema, then only reads. Every write goes
 * through the writer's own connections (`openWriter`, `sqliteWriter.ts`).
 */
export function openReader(file: string): Database.Database {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file);
  // busy_timeout first: switching to WAL needs a lock another process may hold.
  db.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  db.pragma('journal_mode = WAL');
  db.exec(SCHEMA);
  return db;
}

export interface WriterConnections {
  /** Events: every commit is fsynced before an append is acknowledged. */
  events: Database.Database;
  /** Ephemeral signals: same file, but commits skip the fsync (losing a typing signal is fine). */
  signals: Database.Database;
}

/** The writer's connections to a file `openReader` has set up. */
export function openWriter(file: string): WriterConnections {
  const events = new Database(file);
  events.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  events.pragma('synchronous = FULL');
  events.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);

  const signals = new Database(file);
  signals.pragma(`busy_timeout = ${BUSY_TIMEOUT_MS}`);
  // In WAL mode NORMAL never corrupts the file; it only may lose the last commits on power loss.
  signals.pragma('synchronous = NORMAL');
  // Its commits would otherwise checkpoint at SQLite's default, on the events' behalf.
  signals.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
  return { events, signals };
}
