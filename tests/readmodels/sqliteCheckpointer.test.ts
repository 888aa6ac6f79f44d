import { statSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { startCheckpointer } from '../../src/readmodels/sqliteCheckpointer.js';
import { tempDir } from '../support/testApp.js';

/** A WAL database whose own connection never checkpoints, holding `rows` rows in its WAL only. */
function walOnlyDatabase(rows: number) {
  const file = join(tempDir(), 'wal.db');
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('wal_autocheckpoint = 0');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT NOT NULL)');
  const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
  db.transaction(() => {
    for (let i = 0; i < rows; i++) insert.run('x'.repeat(200));
  })();
  return { file, db };
}

describe('the read models checkpointer', () => {
  it('copies the WAL into the database file from its own thread while the owner keeps its connection open', async () => {
    const { file, db } = walOnlyDatabase(5000);
    const before = statSync(file).size;
    const checkpointer = startCheckpointer(file, { intervalMs: 50 });
    await expect.poll(() => statSync(file).size, { timeout: 10_000 }).toBeGreaterThan(before + 500_000);
    expect(db.prepare('SELECT COUNT(*) AS n FROM t').get()).toEqual({ n: 5000 });
    await checkpointer.stop();
    db.close();
  });

  it('checkpoints once more when stopped', async () => {
    const { file, db } = walOnlyDatabase(0);
    const checkpointer = startCheckpointer(file, { intervalMs: 60_000 });
    const before = statSync(file).size;
    const insert = db.prepare('INSERT INTO t (body) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 3000; i++) insert.run('y'.repeat(200));
    })();
    expect(statSync(file).size).toBe(before);
    await checkpointer.stop();
    expect(statSync(file).size).toBeGreaterThan(before + 300_000);
    db.close();
  });
});
