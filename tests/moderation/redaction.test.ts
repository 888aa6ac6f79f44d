import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { connectReady, type TestSocket } from '../gateway/wsClient.js';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';
import { world } from './world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
let owner: TestUser;
let author: TestUser;
let reporter: TestUser;
let bystander: TestUser;
let moderator: TestUser;
let threadId: string;
let live: TestSocket;

const original = `my phone number is 555-${crypto.randomUUID()}`;
const clientMessageId = crypto.randomUUID();
let message: { id: string; seq: number; position: number };
let redaction: { position: number };

beforeAll(async () => {
  t = await startTestApp();
  w = world(t);
  [owner, author, reporter, bystander, moderator] = await Promise.all([t.user(), t.user(), t.user(), t.user(), t.user()]);
  await w.grant(moderator, 'moderator');
  threadId = await w.thread(owner, { members: [author, reporter, bystander] });
  live = await connectReady(t.server.url, threadId, { token: bystander.token });
  const posted = await w.call('POST', '/api/chat/messages/', author, { thread: threadId, content: original, client_message_id: clientMessageId });
  message = posted.json();
  await w.report(reporter, message, 'doxxing');
  await live.waitFor((f) => f.type === 'chat_message' && f.payload.id === message.id);
  const res = await w.call('POST', `/api/chat/messages/${message.id}/redact/?min_position=${message.position}`, moderator, { reason: 'personal data' });
  expect(res.statusCode).toBe(200);
  redaction = res.json();
});
afterAll(async () => {
  live?.close();
  await t.close();
});

describe('after a redaction, members never see the original again', () => {
  it('history shows the message with content null, redacted, by whom and when', async () => {
    const res = await w.call('GET', `/api/chat/messages/?thread=${threadId}&min_position=${redaction.position}`, author);
    const shown = res.json().results.find((m: { id: string }) => m.id === message.id);
    expect(shown).toMatchObject({ id: message.id, seq: message.seq, content: null, redacted: true, redacted_by: moderator.id });
    expect(Date.parse(shown.redacted_at)).not.toBeNaN();
    expect(res.body).not.toContain(original);
  });

  it('no member-facing response carries the text: threads, reports, a retried post, a new report', async () => {
    const responses = [
      await w.call('GET', `/api/chat/threads/${threadId}/?min_position=${redaction.position}`, author),
      await w.call('GET', `/api/chat/threads/?min_position=${redaction.position}`, author),
      await w.call('GET', `/api/chat/reports/?mine=1&min_position=${redaction.position}`, reporter),
      // A retry of the original post answers with the original message, now redacted.
      await w.call('POST', '/api/chat/messages/', author, { thread: threadId, content: original, client_message_id: clientMessageId }),
      await w.call('POST', '/api/chat/reports/', bystander, { message: message.id, reason: 'still visible?', min_position: redaction.position }),
    ];
    for (const res of responses) {
      expect(res.statusCode, res.body).toBeLessThan(300);
      expect(res.body).not.toContain(original);
    }
    expect(responses[3]!.json()).toMatchObject({ id: message.id, content: null, redacted: true, redacted_by: moderator.id });
    expect(responses[2]!.json().results[0].message).toMatchObject({ id: message.id, content: null, redacted: true });
  });

  it('moderators’ member-shaped views hide it too: the queue and the replayed state', async () => {
    const queue = await w.call('GET', `/api/chat/reports/?min_position=${redaction.position}`, moderator);
    expect(queue.json().results.find((r: { message: { id: string } }) => r.message.id === message.id).message.content).toBeNull();
    const state = await w.call('GET', `/api/moderation/threads/${threadId}/state/`, moderator);
    expect(state.json().messages.find((m: { id: string }) => m.id === message.id)).toMatchObject({ content: null, redacted: true });
    for (const res of [queue, state]) expect(res.body).not.toContain(original);
  });

  it('connected sockets get message_redacted {id, thread, seq}, and a resumed socket never gets the text', async () => {
    const frame = await live.waitFor((f) => f.type === 'message_redacted');
    expect(frame.payload).toMatchObject({ id: message.id, thread: threadId });
    expect(frame.payload.seq).toBeGreaterThan(message.seq);
    const resumed = await connectReady(t.server.url, threadId, { token: author.token, afterSeq: 0 });
    try {
      const replayed = resumed.frames.find((f) => f.type === 'chat_message' && f.payload.id === message.id);
      expect(replayed?.payload).toMatchObject({ content: null });
      expect(JSON.stringify(resumed.frames)).not.toContain(original);
    } finally {
      resumed.close();
    }
  });
});

describe('the audit keeps the original', () => {
  it('as recorded in MessagePosted, marked content_redacted, and the response says it includes redacted content', async () => {
    const res = await w.call('GET', `/api/moderation/threads/${threadId}/audit/`, moderator);
    expect(res.headers['x-audit-includes-redacted-content']).toBe('true');
    const body = res.json();
    expect(body.includes_redacted_content).toBe(true);
    expect(body.notice).toMatch(/original/);
    const posted = body.results.find((e: { type: string }) => e.type === 'MessagePosted');
    expect(posted).toMatchObject({ seq: message.seq, data: { messageId: message.id, content: original }, content_redacted: true });
    const redacted = body.results.find((e: { type: string }) => e.type === 'MessageRedacted');
    expect(redacted).toMatchObject({ data: { messageId: message.id, by: moderator.id, reason: 'personal data' }, metadata: { actorId: moderator.id } });
  });

  it('and so does the author’s activity, for global moderators', async () => {
    const res = await w.call('GET', `/api/moderation/users/${author.id}/activity/?min_position=${redaction.position}`, moderator);
    const posted = res.json().results.find((e: { type: string }) => e.type === 'MessagePosted');
    expect(posted).toMatchObject({ thread: threadId, data: { content: original }, content_redacted: true });
  });
});
