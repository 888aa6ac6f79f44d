import Database from 'better-sqlite3';

/**
 * The baselines' durable append: one row per post in a SQLite WAL file with
 * synchronous=FULL, with group commit (every append pending in one turn of the
 * event loop shares one transaction, hence one fsync), resolved only after the
 * commit. No concurrency check, no decider: the floor of a durable write.
 */
export function groupCommitLog(file: string) {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE IF NOT EXISTS messages (position INTEGER PRIMARY KEY AUTOINCREMENT, thread TEXT NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO messages (thread, content, created_at) VALUES (?, ?, ?)');

  interface Pending {
    thread: string;
    content: string;
    createdAt: string;
    resolve(position: number): void;
  }
  let queue: Pending[] = [];
  let scheduled = false;
  const commit = db.transaction((batch: Pending[]) => batch.map((p) => Number(insert.run(p.thread, p.content, p.createdAt).lastInsertRowid)));

  function flush(): void {
    scheduled = false;
    const batch = queue;
    queue = [];
    const positions = commit(batch);
    batch.forEach((pending, i) => pending.resolve(positions[i]!));
  }

  return {
    append: (thread: string, content: string, createdAt: string) =>
      new Promise<number>((resolve) => {
        queue.push({ thread, content, createdAt, resolve });
        if (!scheduled) {
          scheduled = true;
          setImmediate(flush);
        }
      }),
    close: () => db.close(),
  };
}
