import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApp, type TestApp, type TestUser } from '../support/testApp.js';
import { world } from './world.js';

let t: TestApp;
let w: ReturnType<typeof world>;
let owner: TestUser;
let author: TestUser;
let reporter: TestUser;
let second: TestUser;
let moderator: TestUser;
let threadId: string;

beforeAll(async () => {
  t = await startTestApp();
  w = world(t);
  [owner, author, reporter, second, moderator] = await Promise.all([t.user(), t.user(), t.user(), t.user(), t.user()]);
  await w.grant(moderator, 'moderator');
  threadId = await w.thread(owner, { members: [author, reporter, second] });
});
afterAll(() => t.close());

const review = (id: string, as: TestUser, body: object, minPosition = 0) =>
  w.call('PATCH', `/api/chat/reports/${id}/?min_position=${minPosition}`, as, body);
const redact = (message: { id: string; position?: number }, as: TestUser) =>
  w.call('POST', `/api/chat/messages/${message.id}/redact/?min_position=${message.position ?? 0}`, as, { reason: 'spam' });
const history = async (as: TestUser, minPosition: number) =>
  (await w.call('GET', `/api/chat/messages/?thread=${threadId}&limit=200&min_position=${minPosition}`, as)).json().results as {
    id: string;
    content: string | null;
    redacted: boolean;
    redacted_by: string | null;
  }[];
/** The whole audit, once the read models hold everything appended so far (report events come through their index). */
const audit = async (as: TestUser) => {
  const head = await t.server.services.store.headPosition();
  return (await w.call('GET', `/api/moderation/threads/${threadId}/audit/?limit=500&min_position=${head}`, as)).json();
};

describe('reviewing a report', () => {
  it('answers the updated report in the queue’s shape; a second review is 409, whatever its status', async () => {
    const message = await w.post(author, threadId, 'borderline');
    const report = await w.report(reporter, message, 'rude');
    const first = await review(report.id, moderator, { status: 'dismissed', note: ' fine by the rules ' }, report.position);
    expect(first.statusCode).toBe(200);
    expect(first.json()).toMatchObject({
      id: report.id,
      message: { id: message.id, thread: threadId, author: { id: author.id, username: author.username }, content: 'borderline', redacted: false },
      reason: 'rude',
      status: 'dismissed',
      reporter: { id: reporter.id, username: reporter.username },
      reviewed_by: moderator.id,
      note: 'fine by the rules',
      report_count_for_message: 1,
    });
    expect(first.json().position).toBeGreaterThan(report.position);
    for (const status of ['dismissed', 'reviewed']) {
      const again = await review(report.id, moderator, { status });
      expect(again.statusCode).toBe(409);
      expect(again.json().error.code).toBe('already_reviewed');
    }
  });

  it('an unknown report is 404; a status other than reviewed or dismissed is 400', async () => {
    expect((await review(crypto.randomUUID(), moderator, { status: 'reviewed' })).statusCode).toBe(404);
    const report = await w.report(reporter, await w.post(author, threadId, 'x'));
    expect((await review(report.id, moderator, { status: 'pending' }, report.position)).statusCode).toBe(400);
  });

  it('with redact: true redacts the message in the same request, both events by the moderator and caused by the report', async () => {
    const message = await w.post(author, threadId, 'remove me please');
    const report = await w.report(reporter, message);
    const res = await review(report.id, moderator, { status: 'reviewed', note: 'hate speech', redact: true }, report.position);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ status: 'reviewed', message: { id: message.id, content: null, redacted: true } });

    const shown = (await history(owner, res.json().position)).find((m) => m.id === message.id);
    expect(shown).toMatchObject({ content: null, redacted: true, redacted_by: moderator.id });

    const log = await audit(moderator);
    const reported = log.results.find((e: { type: string; data: { reportId?: string } }) => e.type === 'MessageReported' && e.data.reportId === report.id);
    const redacted = log.results.find((e: { type: string; data: { messageId?: string } }) => e.type === 'MessageRedacted' && e.data.messageId === message.id);
    const reviewed = log.results.find((e: { type: string; data: { reportId?: string } }) => e.type === 'ReportReviewed' && e.data.reportId === report.id);
    expect(redacted.metadata).toMatchObject({ actorId: moderator.id, actor_username: moderator.username });
    expect(redacted.data).toMatchObject({ by: moderator.id, reason: 'hate speech' });
    expect(reviewed.metadata).toMatchObject({ actorId: moderator.id, actor_username: moderator.username });
    expect(reviewed.data).toMatchObject({ status: 'reviewed', moderatorId: moderator.id });
    // One request: one correlation id; both caused by the report event.
    expect(redacted.metadata.correlationId).toBe(reviewed.metadata.correlationId);
    expect(redacted.metadata.causationId).toBe(reported.id);
    expect(reviewed.metadata.causationId).toBe(reported.id);
    expect(reported.metadata).toMatchObject({ actorId: reporter.id, actor_username: reporter.username });
  });

  it('with redact: true on a message redacted meanwhile still reviews (no second redaction)', async () => {
    const message = await w.post(author, threadId, 'self-redacted later');
    const report = await w.report(reporter, message);
    expect((await redact(message, author)).statusCode).toBe(200);
    const res = await review(report.id, moderator, { status: 'reviewed', redact: true }, report.position);
    expect(res.statusCode).toBe(200);
    const redactions = (await audit(moderator)).results.filter(
      (e: { type: string; data: { messageId?: string } }) => e.type === 'MessageRedacted' && e.data.messageId === message.id,
    );
    expect(redactions).toHaveLength(1);
    expect(redactions[0].metadata.actorId).toBe(author.id);
  });

  it('a refused review redacts nothing: a second review with redact: true is 409 and the message stays', async () => {
    const message = await w.post(author, threadId, 'keep me');
    const report = await w.report(reporter, message);
    expect((await review(report.id, moderator, { status: 'dismissed' }, report.position)).statusCode).toBe(200);
    const again = await review(report.id, moderator, { status: 'reviewed', redact: true });
    expect(again.statusCode).toBe(409);
    const shown = (await history(owner, await t.server.services.store.headPosition())).find((m) => m.id === message.id);
    expect(shown).toMatchObject({ content: 'keep me', redacted: false });
  });

  it('two moderators racing on one report with redact: true: one review, one redaction, the other gets 409', async () => {
    const other = await t.user();
    await w.grant(other, 'admin');
    const message = await w.post(author, threadId, 'raced over');
    const report = await w.report(reporter, message);
    const [a, b] = await Promise.all([
      review(report.id, moderator, { status: 'reviewed', redact: true }, report.position),
      review(report.id, other, { status: 'dismissed', redact: true }, report.position),
    ]);
    expect([a.statusCode, b.statusCode].sort()).toEqual([200, 409]);
    const events = (await audit(moderator)).results.filter(
      (e: { type: string; data: { messageId?: string; reportId?: string } }) =>
        (e.type === 'MessageRedacted' && e.data.messageId === message.id) || (e.type === 'ReportReviewed' && e.data.reportId === report.id),
    );
    expect(events.map((e: { type: string }) => e.type).sort()).toEqual(['MessageRedacted', 'ReportReviewed']);
  });

  it('a member without moderation rights cannot redact through a review either (403, message intact)', async () => {
    const message = await w.post(author, threadId, 'still here');
    const report = await w.report(reporter, message);
    expect((await review(report.id, second, { status: 'reviewed', redact: true }, report.position)).statusCode).toBe(403);
    const shown = (await history(owner, report.position)).find((m) => m.id === message.id);
    expect(shown).toMatchObject({ content: 'still here', redacted: false });
  });
});

describe('redacting a message', () => {
  it('answers the message as members now see it; a second redaction is 409; an unknown message is 404', async () => {
    const message = await w.post(author, threadId, 'oops, wrong thread');
    const res = await redact(message, author);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ id: message.id, thread: threadId, content: null, redacted: true, redacted_by: author.id, seq: message.seq });
    expect(Date.parse(res.json().redacted_at)).not.toBeNaN();
    const again = await redact(message, moderator);
    expect(again.statusCode).toBe(409);
    expect(again.json().error.code).toBe('already_redacted');
    expect((await redact({ id: crypto.randomUUID() }, moderator)).statusCode).toBe(404);
  });

  it('needs a reason', async () => {
    const message = await w.post(author, threadId, 'why?');
    const res = await w.call('POST', `/api/chat/messages/${message.id}/redact/?min_position=${message.position}`, author, { reason: '  ' });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('invalid_reason');
  });
});
