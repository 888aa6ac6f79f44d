import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROWS = 100_000;

/**
 * Milliseconds this host takes for a fixed piece of bare SQLite work: 100,000
 * rows inserted in one transaction with no fsync, then indexed by a random
 * text key. Nothing of ours runs in it. Session 11's host took from 339 to
 * 626 ms for it within half a minute (docs/benchmarks-history.md, session 11), which moves every
 * absolute figure, and ratios whose sides differ in kind:
 * printed at the start and the end of a run, it tells a slow stretch of the
 * host from a slow product.
 */
export function hostProbeMs(): number {
  const dir = mkdtempSync(join(tmpdir(), 'threadline-bench-probe-'));
  try {
    const db = new Database(join(dir, 'probe.db'));
    try {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = OFF');
      db.exec('CREATE TABLE rows (id TEXT NOT NULL, body TEXT NOT NULL, n INTEGER NOT NULL)');
      const insert = db.prepare('INSERT INTO rows (id, body, n) VALUES (?, ?, ?)');
      const ids = Array.from({ length: ROWS }, () => crypto.randomUUID());
      const started = performance.now();
      db.transaction(() => {
        for (let i = 0; i < ROWS; i++) insert.run(ids[i], `a message body of some ordinary length, number ${i}`, i);
      })();
      db.exec('CREATE UNIQUE INDEX rows_by_id ON rows (id)');
      return performance.now() - started;
    } finally {
      db.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
