import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCapability } from '../../src/analytics/access.js';
import { isInFeed } from '../../src/analytics/feedEvent.js';
import { openSse, type SseFrame } from '../support/sse.js';
import { http } from '../support/serverProcess.js';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';

let t: TestApp;
let analyst: TestUser;
let poster: TestUser;
let threadId: string;

const positions = (frames: SseFrame[]) => frames.map((f) => Number(f.id));

beforeAll(async () => {
  // The posting rate limit is not under test here.
  t = await startTestApp({ RATE_POSTS_PER_SECOND: '10000', RATE_POSTS_BURST: '10000' });
  analyst = await t.user();
  poster = await t.user();
  await grantCapability(t.server.services.commands, analyst.id, 'analyst', { actorId: null, correlationId: crypto.randomUUID(), now: new Date() });
  const thread = await t.request({ method: 'POST', url: '/api/chat/threads/', as: poster, payload: { title: 'busy', visibility: 'public' } });
  threadId = thread.json().id;
  for (let i = 0; i < 100; i++) {
    await t.request({ method: 'POST', url: '/api/chat/messages/', as: poster, payload: { thread: threadId, content: `before ${i}` } });
  }
});

afterAll(() => t.close());

describe('an analyst following the event stream over a real socket', () => {
  it('is killed mid-stream, reconnects with Last-Event-ID and misses nothing, repeats nothing, while messages keep coming', async () => {
    const base = t.server.url;
    const auth = { authorization: `Bearer ${analyst.token}` };
    let writing = true;
    let written = 0;
    // Posts over HTTP for as long as the analyst reads, so both connections see appends racing their catch-up.
    const writer = (async () => {
      while (writing) {
        const res = await http(`${base}/api/chat/messages/`, { token: poster.token, body: { thread: threadId, content: `during ${written}` } });
        if (res.status !== 201) throw new Error(`post failed: ${res.status}`);
        written++;
      }
    })();

    const first = await openSse(`${base}/api/events/stream?from_position=0`, auth);
    expect(first.status).toBe(200);
    expect(first.headers.get('content-type')).toMatch(/^text\/event-stream/);
    await first.until(() => first.frames.length >= 150);
    first.abort();
    await first.ended;
    const lastId = first.frames[first.frames.length - 1]!.id!;

    const second = await openSse(`${base}/api/events/stream`, { ...auth, 'last-event-id': lastId });
    expect(second.status).toBe(200);
    // Keep writing until the second connection has followed some live appends too.
    const writtenAtReconnect = written;
    await second.until(() => written >= writtenAtReconnect + 30);
    writing = false;
    await writer;

    const log = await t.server.services.store.readAll();
    const expected = log.filter((e) => isInFeed(e.type)).map((e) => e.position);
    await second.until(() => Number(second.frames.at(-1)?.id) === expected.at(-1));
    second.abort();

    const received = [...positions(first.frames), ...positions(second.frames)];
    expect(received).toEqual(expected);
    expect(first.frames.length).toBeGreaterThanOrEqual(150);
    expect(second.frames.length).toBeGreaterThan(30);
    // Every frame is the feed shape, and its id is its position.
    for (const frame of [...first.frames, ...second.frames]) {
      const event = JSON.parse(frame.data) as { position: number; type: string };
      expect(event.position).toBe(Number(frame.id));
    }
  });
});
