import Database from 'better-sqlite3';
import { rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { startCheckpointer, type Checkpointer } from '../../src/eventstore/sqliteCheckpointer.js';
import { tempDir } from '../support/testApp.js';

const dirs: string[] = [];
let checkpointer: Checkpointer | undefined;
afterEach(async () => {
  await checkpointer?.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe('the WAL checkpointer', () => {
  it('copies committed pages into the database file from its worker while the main connection never checkpoints', async () => {
    const dir = tempDir('checkpoint-');
    dirs.push(dir);
    const file = join(dir, 'db.sqlite');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    db.pragma('wal_autocheckpoint = 0');
    db.exec('CREATE TABLE t (v TEXT)');
    const insert = db.prepare('INSERT INTO t (v) VALUES (?)');
    db.transaction(() => {
      for (let i = 0; i < 2000; i++) insert.run('x'.repeat(200));
    })();
    const before = statSync(file).size;
    // Nothing on this connection moves pages out of the WAL…
    expect(statSync(`${file}-wal`).size).toBeGreaterThan(before);

    checkpointer = startCheckpointer(file, 20);
    // …the worker does.
    await vi.waitFor(() => expect(statSync(file).size).toBeGreaterThan(before + 300_000), { timeout: 5000 });
    expect(db.prepare('SELECT count(*) AS n FROM t').get()).toEqual({ n: 2000 });
    db.close();
  });
});
