import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { isGlobalModerator, reportMessage, reviewReport } from '../../commands/reports.js';
import { forbidden, notFound } from '../../domain/decider.js';
import { requireThreadModerator } from '../../moderation/access.js';
import { reportDetails } from '../../moderation/reportDetails.js';
import { contextOf } from '../context.js';
import { errorResponses, Id, MinPositionQuery, Nullable } from '../schemas.js';

const Status = Type.Union([Type.Literal('pending'), Type.Literal('reviewed'), Type.Literal('dismissed')]);
const Report = Type.Object({
  id: Type.String(),
  message: Type.Object({
    id: Type.String(),
    thread: Type.String(),
    author: Type.Object({ id: Type.String(), username: Type.String() }),
    content: Nullable(Type.String({ description: 'null once the message is redacted' })),
    created_at: Type.String(),
    redacted: Type.Boolean(),
  }),
  reason: Type.String(),
  status: Status,
  reporter: Type.Object({ id: Type.String(), username: Type.String() }),
  created_at: Type.String(),
  reviewed_by: Type.Optional(Type.String()),
  reviewed_at: Type.Optional(Type.String()),
  note: Type.Optional(Nullable(Type.String())),
  report_count_for_message: Type.Integer(),
});
const ReportWithPosition = Type.Intersect([Report, Type.Object({ position: Type.Integer() })]);
/** `?mine=1` (or `true`): the caller's own reports. */
const Flag = Type.Union([Type.Literal('1'), Type.Literal('true'), Type.Literal('0'), Type.Literal('false')]);

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { commands, readModels } = app.services;
  app.addHook('onRequest', app.authenticate);

  app.post(
    '/api/chat/reports',
    {
      schema: {
        tags: ['reports'],
        body: Type.Object({ message: Id, reason: Type.String({ maxLength: 5000 }), min_position: Type.Optional(Type.Integer({ minimum: 0 })) }),
        response: { 201: ReportWithPosition, ...errorResponses },
      },
    },
    async (request, reply) => {
      await app.awaitPosition(request.body.min_position);
      // The read model only locates the message's thread; the rules run on the write model.
      const message = await readModels.getMessage(request.body.message);
      if (!message) throw notFound('message_not_found', 'no such message');
      const context = contextOf(request);
      const result = await reportMessage(commands, { messageId: message.id, threadId: message.threadId, reason: request.body.reason }, context);
      const reported = result.events[0];
      if (reported?.type !== 'MessageReported' || result.position === null) throw new Error('report appended nothing');
      const { userId, username } = request.user;
      return reply.status(201).send({
        id: reported.data.reportId,
        message: {
          id: message.id,
          thread: message.threadId,
          author: { id: message.author.id, username: message.author.username },
          content: message.content,
          created_at: message.createdAt,
          redacted: message.redacted,
        },
        reason: reported.data.reason,
        status: 'pending' as const,
        reporter: { id: userId, username },
        created_at: context.now.toISOString(),
        // The report stream holds every report on this message: its write model counts them exactly.
        report_count_for_message: result.state.reports.size,
        position: result.position,
      });
    },
  );

  app.get(
    '/api/chat/reports',
    {
      schema: {
        tags: ['reports'],
        description:
          'Moderators: the queue, oldest first (pending by default). Thread owners and moderators pass `thread`. Anyone: `mine=1` for their own reports.',
        querystring: Type.Intersect([
          MinPositionQuery,
          Type.Object({
            status: Type.Optional(Status),
            thread: Type.Optional(Id),
            mine: Type.Optional(Flag),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
            cursor: Type.Optional(Type.String({ maxLength: 512 })),
          }),
        ]),
        response: { 200: Type.Object({ results: Type.Array(Report), next_cursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => {
      const { status, thread, limit, cursor, min_position } = request.query;
      const mine = request.query.mine === '1' || request.query.mine === 'true';
      await app.awaitPosition(min_position);
      if (!mine && !isGlobalModerator(request.user.role)) {
        if (!thread) throw forbidden('not_a_moderator', 'the report queue is for moderators: pass ?thread= for a thread you moderate, or ?mine=1');
        await requireThreadModerator(commands, thread, request.user);
      }
      const page = await readModels.listReports({
        status: mine ? status : (status ?? 'pending'),
        threadId: thread,
        reporterId: mine ? request.user.userId : undefined,
        limit: limit ?? 50,
        cursor,
      });
      return { results: await reportDetails(readModels, page.results), next_cursor: page.nextCursor };
    },
  );

  app.patch(
    '/api/chat/reports/:id',
    {
      schema: {
        tags: ['reports'],
        params: Type.Object({ id: Id }),
        querystring: MinPositionQuery,
        body: Type.Object({
          status: Type.Union([Type.Literal('reviewed'), Type.Literal('dismissed')]),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
          redact: Type.Optional(Type.Boolean({ description: 'also redact the reported message, in the same request' })),
        }),
        response: { 200: ReportWithPosition, ...errorResponses },
      },
    },
    async (request) => {
      await app.awaitPosition(request.query.min_position);
      // The read model locates the report's stream; the review itself is decided on the write model.
      const report = await readModels.getReport(request.params.id);
      if (!report) throw notFound('report_not_found', 'no such report');
      const context = { ...contextOf(request), globalRole: request.user.role };
      const note = request.body.note?.trim() || null;
      const redact = request.body.redact ?? false;
      const { status } = request.body;
      const outcome = await reviewReport(
        commands,
        { reportId: report.id, messageId: report.messageId, threadId: report.threadId, status, note, redact },
        context,
      );
      const [before] = await reportDetails(readModels, [report]);
      // The read models may not have caught up with these appends: the answer is built from what was decided.
      const message = redact ? { ...before!.message, content: null, redacted: true } : before!.message;
      const positions = [outcome.review.position, outcome.redaction?.position ?? null].filter((p): p is number => p !== null);
      return {
        ...before!,
        message,
        status,
        reviewed_by: request.user.userId,
        reviewed_at: context.now.toISOString(),
        note,
        report_count_for_message: outcome.review.state.reports.size,
        position: Math.max(0, ...positions),
      };
    },
  );
};
