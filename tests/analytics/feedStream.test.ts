import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grantCapability } from '../../src/analytics/access.js';
import { postMessage } from '../../src/commands/postMessage.js';
import { changeUserRole } from '../../src/commands/users.js';
import { feedStreamsDropped, feedStreamsOpen } from '../../src/metrics/metrics.js';
import { openSse } from '../support/sse.js';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';

let t: TestApp;
let analyst: TestUser;
let member: TestUser;
let threadId: string;

const operator = () => ({ actorId: 'operator:test', correlationId: crypto.randomUUID(), now: new Date() });
const metricValue = async (metric: { get(): Promise<{ values: { value: number }[] }> }) =>
  (await metric.get()).values.reduce((sum, v) => sum + v.value, 0);

beforeAll(async () => {
  t = await startTestApp({ FEED_HEARTBEAT_MS: '100', FEED_STALL_TIMEOUT_MS: '500', RATE_POSTS_PER_SECOND: '10000', RATE_POSTS_BURST: '10000' });
  analyst = await t.user();
  member = await t.user();
  await grantCapability(t.server.services.commands, analyst.id, 'analyst', operator());
  threadId = (await t.request({ method: 'POST', url: '/api/chat/threads/', as: member, payload: { title: 'stream', visibility: 'public' } })).json().id;
});

afterAll(() => t.close());

const streamUrl = (query = '') => `${t.server.url}/api/events/stream${query}`;
const auth = () => ({ authorization: `Bearer ${analyst.token}` });

describe('the event stream', () => {
  it('sends heartbeat comments while idle', async () => {
    const stream = await openSse(streamUrl(), auth());
    await stream.until(() => stream.comments.filter((c) => c === 'heartbeat').length >= 2);
    stream.abort();
  });

  it('resumes after Last-Event-ID, which wins over from_position, and applies filters', async () => {
    const log = await t.server.services.store.readAll();
    const middle = log[Math.floor(log.length / 2)]!.position;
    const stream = await openSse(streamUrl('?from_position=0&types=MemberJoined,ThreadCreated'), { ...auth(), 'last-event-id': String(middle) });
    const expected = log.filter((e) => e.position > middle && ['MemberJoined', 'ThreadCreated'].includes(e.type)).map((e) => e.position);
    expect(expected.length).toBeGreaterThan(0);
    await stream.until(() => stream.frames.length >= expected.length);
    stream.abort();
    expect(stream.frames.map((f) => Number(f.id))).toEqual(expected);
  });

  it('drops a client that stops reading instead of buffering for it', async () => {
    const droppedBefore = await metricValue(feedStreamsDropped);
    const socket = connect({ host: '127.0.0.1', port: Number(new URL(t.server.url).port) });
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.pause();
    let closed = false;
    socket.on('close', () => (closed = true));
    socket.on('error', () => undefined);
    const path = `/api/events/stream?from_position=${await t.server.services.store.headPosition()}`;
    socket.write(`GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${analyst.token}\r\nAccept: text/event-stream\r\n\r\n`);
    // Far more than the kernel's socket buffers hold: the server's writes stop draining.
    const content = 'x'.repeat(4000);
    const context = { actorId: member.id, correlationId: crypto.randomUUID(), now: new Date() };
    for (let i = 0; i < 3000; i++) {
      await postMessage(t.server.services.commands, { threadId, content, clientMessageId: null }, context);
    }
    await expect.poll(() => metricValue(feedStreamsDropped), { timeout: 15_000 }).toBe(droppedBefore + 1);
    // Reading what was sent reaches the end: the server closed the connection.
    socket.resume();
    await expect.poll(() => closed, { timeout: 15_000 }).toBe(true);
  });

  it('ends open streams when the server shuts down', async () => {
    const other = await startTestApp();
    const admin = await other.user();
    await changeUserRole(other.server.services.commands, { userId: admin.id, role: 'admin' }, operator());
    const stream = await openSse(`${other.server.url}/api/events/stream`, { authorization: `Bearer ${admin.token}` });
    await stream.until(() => stream.frames.length > 0);
    const open = await metricValue(feedStreamsOpen);
    await other.close();
    await stream.ended;
    expect(await metricValue(feedStreamsOpen)).toBe(open - 1);
  });
});
