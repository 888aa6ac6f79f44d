import Database from 'better-sqlite3';
import { readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readModelSwaps } from '../../src/metrics/metrics.js';
import { ALL_PROJECTIONS } from '../../src/projections/all.js';
import { currentReadModelsFile, currentReadModelsName } from '../../src/readmodels/readModelsPointer.js';
import { replayLog } from '../../src/readmodels/rebuild.js';
import { openSqliteReadModels } from '../../src/readmodels/sqliteReadModels.js';
import { currentBootId } from '../../src/readmodels/unsyncedWrites.js';
import { runCli } from '../support/cli.js';
import { randomHistory } from '../support/randomHistory.js';
import { startTestApp, tempDir, type TestApp, type TestUser } from '../support/testApp.js';

/** Every row of every table, in a stable order: two read models are identical when their dumps are. */
function dump(file: string): Record<string, unknown[]> {
  const db = new Database(file, { readonly: true });
  try {
    const tables = db.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name").all();
    return Object.fromEntries(
      tables.map(({ name }) => {
        const columns = db.prepare<[], { name: string }>(`SELECT name FROM pragma_table_info('${name}')`).all().map((c) => `"${c.name}"`);
        return [name, db.prepare(`SELECT * FROM "${name}" ORDER BY ${columns.join(', ')}`).all()];
      }),
    );
  } finally {
    db.close();
  }
}

const swaps = async () => (await readModelSwaps.get()).values.reduce((sum, v) => sum + v.value, 0);

let t: TestApp;
let member: TestUser;

beforeAll(async () => {
  t = await startTestApp({ RATE_POSTS_PER_SECOND: '10000', RATE_POSTS_BURST: '10000' });
  const history = await randomHistory(t.server.services.commands, { seed: 7, events: 3000 });
  expect(history.appended).toBeGreaterThanOrEqual(3000);
  // Every kind of chat event is in the mix, so the comparison covers every projection path.
  const types = new Set((await t.server.services.store.readAll()).map((e) => e.type));
  for (const type of ['UserRoleChanged', 'MemberLeft', 'MemberRemoved', 'MemberRoleChanged', 'MessageRedacted', 'MessageReported', 'ReportReviewed']) {
    expect(types).toContain(type);
  }
  member = await t.user();
}, 120_000);

afterAll(() => t.close());

const caughtUp = async () => {
  const head = await t.server.services.store.headPosition();
  for (const runner of t.server.services.projections) expect(await runner.waitFor(head, 10_000)).toBe(true);
  return head;
};

describe('rebuild', () => {
  it('replays thousands of random events into a new file identical to the live read model, which the server then serves', async () => {
    const head = await caughtUp();
    const live = currentReadModelsFile(t.dataDir);
    const before = await swaps();
    const result = await runCli(t.dataDir, ['rebuild', 'chat']);
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/rebuilt readmodels-\d+T\d+Z\.db from \d+ events \(up to position \d+\) at \d+ events\/s/);
    const rebuilt = currentReadModelsFile(t.dataDir);
    expect(rebuilt).not.toBe(live);
    await expect.poll(swaps, { timeout: 10_000 }).toBe(before + 1);
    if (currentBootId()) {
      // The CLI synced the file it loaded without fsync before it exited: what marks it now is the server writing it.
      const prefix = `${basename(rebuilt)}.unsynced-`;
      const writers = readdirSync(t.dataDir).filter((name) => name.startsWith(prefix)).map((name) => name.slice(prefix.length).split('-')[0]);
      expect(writers).toEqual([String(process.pid)]);
    }

    // Nothing was appended meanwhile: the old file stopped exactly where the new one is.
    expect(await t.server.services.store.headPosition()).toBe(head);
    const old = dump(live);
    expect(old.messages!.length).toBeGreaterThan(1000);
    expect(dump(rebuilt)).toEqual(old);

    // The server now reads and projects into the new file.
    const thread = await t.request({ method: 'POST', url: '/api/chat/threads/', as: member, payload: { title: 'after the switch', visibility: 'public' } });
    expect(thread.statusCode).toBe(201);
    await caughtUp();
    const fromNew = new Database(rebuilt, { readonly: true });
    expect(fromNew.prepare('SELECT title FROM threads WHERE id = ?').get(thread.json().id)).toEqual({ title: 'after the switch' });
    fromNew.close();
  });

  it('keeps serving while rebuilding, and the switched-to read model holds what was written meanwhile', async () => {
    const threadId = (await t.request({ method: 'POST', url: '/api/chat/threads/', as: member, payload: { title: 'busy', visibility: 'public' } })).json().id;
    const previous = currentReadModelsName(t.dataDir);
    const swapsBefore = await swaps();
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const res = await t.request({ method: 'POST', url: '/api/chat/messages/', as: member, payload: { thread: threadId, content: `during ${written}` } });
        expect(res.statusCode).toBe(201);
        const history = await t.request({ method: 'GET', url: `/api/chat/messages/?thread=${threadId}&limit=1&min_position=${res.json().position}`, as: member });
        expect(history.statusCode).toBe(200);
        written++;
      }
    })();
    const result = await runCli(t.dataDir, ['rebuild']);
    expect(result.code).toBe(0);
    expect(currentReadModelsName(t.dataDir)).not.toBe(previous);
    await expect.poll(() => written, { timeout: 10_000 }).toBeGreaterThan(20);
    await expect.poll(swaps, { timeout: 10_000 }).toBe(swapsBefore + 1);
    writing = false;
    await writer;
    await caughtUp();

    const messages = await t.request({ method: 'GET', url: `/api/chat/messages/?thread=${threadId}&limit=200`, as: member });
    expect(messages.json().results).toHaveLength(Math.min(written, 200));

    // The live, switched-to read model equals an independent replay of the whole log.
    const replayed = join(tempDir(), 'replay.db');
    const target = openSqliteReadModels(replayed);
    await replayLog(t.server.services.store, target, ALL_PROJECTIONS);
    await target.close();
    expect(dump(currentReadModelsFile(t.dataDir))).toEqual(dump(replayed));
  });

  it('replays in many small pages, each handed over while the one before commits, into the same rows', async () => {
    await caughtUp();
    const replayed = join(tempDir(), 'paged.db');
    const target = openSqliteReadModels(replayed);
    const pages: number[] = [];
    const result = await replayLog(t.server.services.store, target, ALL_PROJECTIONS, (p) => pages.push(p.position), { pageSize: 7 });
    await target.close();
    expect(result.position).toBe(await t.server.services.store.headPosition());
    expect(pages.length).toBeGreaterThan(400);
    // Progress is reported once per committed page, in order.
    expect(pages).toEqual([...pages].sort((a, b) => a - b));
    expect(dump(replayed)).toEqual(dump(currentReadModelsFile(t.dataDir)));
  });

  it('refuses an unknown read model', async () => {
    const result = await runCli(t.dataDir, ['rebuild', 'nope']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('unknown read model nope; known: chat');
  });
});
