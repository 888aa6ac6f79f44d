import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isInFeed } from '../../src/analytics/feedEvent.js';
import { runCli } from '../support/cli.js';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';

let t: TestApp;
let analyst: TestUser;
let member: TestUser;
let threadId: string;

beforeAll(async () => {
  t = await startTestApp();
  analyst = await t.user();
  member = await t.user();
  threadId = (await t.request({ method: 'POST', url: '/api/chat/threads/', as: member, payload: { title: 'cli', visibility: 'public' } })).json().id;
  for (let i = 0; i < 20; i++) await t.request({ method: 'POST', url: '/api/chat/messages/', as: member, payload: { thread: threadId, content: `m${i}` } });
});

afterAll(() => t.close());

const feedAs = (headers: Record<string, string>) => t.request({ method: 'GET', url: '/api/events/?limit=1000', headers });
const lines = (file: string) =>
  readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { position: number; type: string });

describe('access commands', () => {
  it('grant-capability makes a user an analyst, recorded as an event; --revoke takes it back', async () => {
    const bearer = { authorization: `Bearer ${analyst.token}` };
    expect((await feedAs(bearer)).statusCode).toBe(403);
    const granted = await runCli(t.dataDir, ['grant-capability', analyst.username, 'analyst']);
    expect(granted.code).toBe(0);
    expect(granted.stdout).toMatch(new RegExp(`^${analyst.username} now has analyst \\(position \\d+\\)`));
    expect((await feedAs(bearer)).statusCode).toBe(200);
    const events = (await feedAs(bearer)).json().events as { type: string; data: { userId: string }; metadata: { actorId: string } }[];
    expect(events.find((e) => e.type === 'CapabilityGranted')).toMatchObject({ data: { userId: analyst.id }, metadata: { actorId: expect.stringMatching(/^operator:/) } });

    expect((await runCli(t.dataDir, ['grant-capability', analyst.username, 'analyst', '--revoke'])).code).toBe(0);
    expect((await feedAs(bearer)).statusCode).toBe(403);
    expect((await runCli(t.dataDir, ['grant-capability', analyst.username, 'analyst'])).code).toBe(0);
  });

  it('create-api-key prints a working key once; the log holds only its hash', async () => {
    const created = await runCli(t.dataDir, ['create-api-key', 'warehouse loader', '--scope', 'events:read']);
    expect(created.code).toBe(0);
    const key = created.stdout.trim();
    expect(key).toMatch(/^tlk_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    expect(created.stderr).toContain('not shown again');
    expect((await feedAs({ 'x-api-key': key })).statusCode).toBe(200);
    const secret = key.split('_').slice(2).join('_');
    expect(readFileSync(join(t.dataDir, 'events.db')).includes(secret)).toBe(false);

    const keyId = key.split('_')[1]!;
    expect((await runCli(t.dataDir, ['revoke-api-key', keyId])).code).toBe(0);
    expect((await feedAs({ 'x-api-key': key })).statusCode).toBe(401);
  });

  it('refuses unknown capabilities and scopes', async () => {
    expect((await runCli(t.dataDir, ['grant-capability', analyst.username, 'wizard'])).stderr).toContain('capability must be one of analyst');
    expect((await runCli(t.dataDir, ['create-api-key', 'x', '--scope', 'threads:write'])).stderr).toContain('unknown scope threads:write');
  });
});

describe('export', () => {
  it('writes the feed as NDJSON and resumes after the last complete line, even a torn one', async () => {
    const out = join(t.dataDir, 'feed.ndjson');
    const first = await runCli(t.dataDir, ['export', '--out', out]);
    expect(first.code).toBe(0);
    expect(first.stderr).toMatch(/exported \d+ events up to position \d+ to .*feed\.ndjson/);
    const exported = lines(out);
    const headAtFirst = exported.at(-1)!.position;

    for (let i = 0; i < 5; i++) await t.request({ method: 'POST', url: '/api/chat/messages/', as: member, payload: { thread: threadId, content: `later ${i}` } });
    // A crash in the middle of a write leaves half a line.
    appendFileSync(out, '{"position":99999,"stream":"thr');
    const second = await runCli(t.dataDir, ['export', '--out', out, '--from-position', '0']);
    expect(second.code).toBe(0);
    expect(second.stderr).toContain(`resumed after position ${headAtFirst}`);

    const all = lines(out);
    const log = (await t.server.services.store.readAll()).filter((e) => isInFeed(e.type));
    expect(all.map((e) => e.position)).toEqual(log.map((e) => e.position));
    // The same shape as the HTTP feed.
    const viaHttp = (await feedAs({ authorization: `Bearer ${analyst.token}` })).json().events;
    expect(all.slice(0, viaHttp.length)).toEqual(viaHttp.slice(0, all.length));
  });

  it('writes to stdout from a position, with filters', async () => {
    const result = await runCli(t.dataDir, ['export', '--from-position', '5', '--types', 'MessagePosted', '--thread', threadId]);
    expect(result.code).toBe(0);
    const events = result.stdout.split('\n').filter(Boolean).map((l) => JSON.parse(l) as { position: number; type: string; data: { threadId: string } });
    expect(events.length).toBe(25);
    for (const event of events) expect(event).toMatchObject({ type: 'MessagePosted', data: { threadId } });
  });
});
