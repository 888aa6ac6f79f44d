import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { UserView } from '../../src/readmodels/readModelStore.js';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { currentBootId } from '../../src/readmodels/unsyncedWrites.js';
import { tempDir } from '../support/testApp.js';

/**
 * A served read-model file is written without fsync; a marker per writing
 * process, holding the boot id, tells a process crash (the page cache kept its
 * writes) from a machine crash (the file cannot be trusted and is rebuilt).
 */
const bootId = currentBootId();
if (!bootId) console.warn('skipped: no boot id on this machine (not Linux): served read models keep their fsyncs');
const alice: UserView = { id: 'u-alice', username: 'alice', email: 'alice@example.test', role: 'member', createdAt: '2025-01-27T10:00:00.000Z' };
const markers = (dir: string) => readdirSync(dir).filter((name) => name.includes('.unsynced-'));

async function fileWithAlice() {
  const dir = tempDir('unsynced-');
  const file = join(dir, 'readmodels.db');
  const store = openSqliteReadModels(file);
  await store.applyBatch('chat', 7, (w) => w.putUser(alice));
  return { dir, file, store };
}

describe.skipIf(!bootId)('read models written without fsync', () => {
  it('leave a marker with the boot id while a process writes them, removed once its close has synced the file', async () => {
    const { dir, store } = await fileWithAlice();
    expect(markers(dir)).toEqual([expect.stringMatching(new RegExp(`^readmodels\\.db\\.unsynced-${process.pid}-\\d+$`))]);
    expect(readFileSync(join(dir, markers(dir)[0]!), 'utf8').trim()).toBe(bootId);
    await store.close();
    expect(markers(dir)).toEqual([]);
  });

  it('are discarded when a marker comes from an earlier boot: the projections start again from the log', async () => {
    const { dir, file, store } = await fileWithAlice();
    await store.close();
    // As a process leaves it when the machine stops under it.
    writeFileSync(`${file}.unsynced-4242-1`, 'an-earlier-boot\n');

    const reopened = openSqliteReadModels(file);
    try {
      expect(await reopened.checkpoint('chat')).toBe(0);
      expect(await reopened.getUser(alice.id)).toBeNull();
      expect(markers(dir)).toEqual([expect.stringMatching(new RegExp(`^readmodels\\.db\\.unsynced-${process.pid}-\\d+$`))]);
    } finally {
      await reopened.close();
    }
  });

  it('are kept after a process crash, whose writes the page cache still holds; the next close syncs them and drops its marker', async () => {
    const dir = tempDir('unsynced-');
    const file = join(dir, 'readmodels.db');
    // A real crash: a process writes through the store, then is killed before it can close.
    const script = join(dir, 'crash.mts');
    writeFileSync(
      script,
      `const { openSqliteReadModels } = await import(${JSON.stringify(fileURLToPath(new URL('../../src/readmodels/sqliteReadModels.ts', import.meta.url)))});
       const store = openSqliteReadModels(${JSON.stringify(file)});
       await store.applyBatch('chat', 7, (w) => w.putUser(${JSON.stringify(alice)}));
       console.log('written');
       setInterval(() => {}, 1000);`,
    );
    const child = spawn(process.execPath, ['--import', 'tsx', script], { stdio: ['ignore', 'pipe', 'inherit'] });
    await new Promise<void>((resolve, reject) => {
      child.stdout.on('data', (data: Buffer) => data.toString().includes('written') && resolve());
      child.once('exit', (code) => reject(new Error(`child exited ${code} before writing`)));
    });
    const killed = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await killed;
    expect(markers(dir)).toEqual([`readmodels.db.unsynced-${child.pid}-1`]);

    const store = openSqliteReadModels(file);
    expect(await store.checkpoint('chat')).toBe(7);
    expect((await store.getUser(alice.id))?.username).toBe('alice');
    await store.close();
    expect(markers(dir)).toEqual([]);
  }, 60_000);

  it('keep a marker per store: two stores on one file, the first one closed, the second still marked', async () => {
    const { dir, file, store } = await fileWithAlice();
    const second = openSqliteReadModels(file);
    expect(markers(dir)).toHaveLength(2);
    await store.close();
    expect(markers(dir)).toHaveLength(1);
    await second.close();
    expect(markers(dir)).toEqual([]);
  });

  it('guard a bulk load past its close, which does not sync it: its marker stays until syncToDisk', async () => {
    const dir = tempDir('unsynced-');
    const file = join(dir, 'readmodels.db');
    const bulk = openSqliteReadModels(file, { bulkLoad: true });
    await bulk.applyBatch('chat', 7, (w) => w.putUser(alice));
    expect(() => bulk.syncToDisk()).toThrow(/after close/);
    await bulk.close();
    const [marker] = markers(dir);
    expect(marker).toMatch(new RegExp(`^readmodels\\.db\\.unsynced-${process.pid}-\\d+$`));
    expect(readFileSync(join(dir, marker!), 'utf8').trim()).toBe(bootId);

    // Servable before the sync: a store opened on it now keeps its data.
    const served = openSqliteReadModels(file);
    expect(await served.checkpoint('chat')).toBe(7);
    bulk.syncToDisk();
    expect(markers(dir)).toHaveLength(1);
    await served.close();
    expect(markers(dir)).toEqual([]);
    expect((await reopenedUser(file))?.username).toBe('alice');
  });

  it('discard a bulk load whose machine stopped before it was synced', async () => {
    const dir = tempDir('unsynced-');
    const file = join(dir, 'readmodels.db');
    const bulk = openSqliteReadModels(file, { bulkLoad: true });
    await bulk.applyBatch('chat', 7, (w) => w.putUser(alice));
    await bulk.close();
    // What the next boot finds: the marker of the bulk load, from the boot before.
    const [marker] = markers(dir);
    writeFileSync(join(dir, marker!), 'an-earlier-boot\n');
    expect(await reopenedUser(file)).toBeNull();
  });
});

async function reopenedUser(file: string): Promise<UserView | null> {
  const store = openSqliteReadModels(file);
  try {
    return await store.getUser(alice.id);
  } finally {
    await store.close();
  }
}
