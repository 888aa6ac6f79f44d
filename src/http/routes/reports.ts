import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { reportMessage, reviewReport } from '../../commands/reports.js';
import { forbidden, notFound } from '../../domain/decider.js';
import type { ReportView } from '../../readmodels/readModelStore.js';
import { contextOf } from '../context.js';
import { errorResponses, Id, MinPositionQuery, Nullable } from '../schemas.js';

const Status = Type.Union([Type.Literal('pending'), Type.Literal('reviewed'), Type.Literal('dismissed')]);
const Report = Type.Object({
  id: Type.String(),
  message: Type.String(),
  thread: Type.String(),
  reason: Type.String(),
  status: Status,
  reporter: Type.String(),
  created_at: Type.String(),
  reviewed_by: Nullable(Type.String()),
  reviewed_at: Nullable(Type.String()),
  note: Nullable(Type.String()),
});

const presentReport = (r: ReportView) => ({
  id: r.id,
  message: r.messageId,
  thread: r.threadId,
  reason: r.reason,
  status: r.status,
  reporter: r.reporterId,
  created_at: r.createdAt,
  reviewed_by: r.reviewedBy,
  reviewed_at: r.reviewedAt,
  note: r.note,
});

export const reportRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { commands, readModels } = app.services;
  app.addHook('onRequest', app.authenticate);

  app.post(
    '/api/chat/reports',
    {
      schema: {
        tags: ['reports'],
        body: Type.Object({ message: Id, reason: Type.String({ maxLength: 5000 }), min_position: Type.Optional(Type.Integer({ minimum: 0 })) }),
        response: { 201: Type.Intersect([Report, Type.Object({ position: Type.Integer() })]), ...errorResponses },
      },
    },
    async (request, reply) => {
      await app.awaitPosition(request.body.min_position);
      // The read model only locates the message's thread; the rules run on the write model.
      const message = await readModels.getMessage(request.body.message);
      if (!message) throw notFound('message_not_found', 'no such message');
      const result = await reportMessage(
        commands,
        { messageId: message.id, threadId: message.threadId, reason: request.body.reason },
        contextOf(request),
      );
      const reported = result.events[0];
      if (reported?.type !== 'MessageReported' || result.position === null) throw new Error('report appended nothing');
      return reply.status(201).send({
        id: reported.data.reportId,
        message: message.id,
        thread: message.threadId,
        reason: reported.data.reason,
        status: 'pending' as const,
        reporter: request.user.userId,
        created_at: contextOf(request).now.toISOString(),
        reviewed_by: null,
        reviewed_at: null,
        note: null,
        position: result.position,
      });
    },
  );

  app.get(
    '/api/chat/reports',
    {
      schema: {
        tags: ['reports'],
        querystring: Type.Intersect([
          MinPositionQuery,
          Type.Object({
            status: Type.Optional(Status),
            thread: Type.Optional(Id),
            mine: Type.Optional(Type.Boolean()),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
            cursor: Type.Optional(Type.String({ maxLength: 512 })),
          }),
        ]),
        response: { 200: Type.Object({ results: Type.Array(Report), next_cursor: Nullable(Type.String()) }), ...errorResponses },
      },
    },
    async (request) => {
      const { status, thread, mine, limit, cursor, min_position } = request.query;
      await app.awaitPosition(min_position);
      const globalModerator = request.user.role === 'moderator' || request.user.role === 'admin';
      if (!mine && !globalModerator) throw forbidden('not_a_moderator', 'only moderators see the report queue; use ?mine=1');
      const page = await readModels.listReports({
        status,
        threadId: thread,
        reporterId: mine ? request.user.userId : undefined,
        limit: limit ?? 50,
        cursor,
      });
      return { results: page.results.map(presentReport), next_cursor: page.nextCursor };
    },
  );

  app.patch(
    '/api/chat/reports/:id',
    {
      schema: {
        tags: ['reports'],
        params: Type.Object({ id: Id }),
        body: Type.Object({
          status: Type.Union([Type.Literal('reviewed'), Type.Literal('dismissed')]),
          note: Type.Optional(Type.String({ maxLength: 2000 })),
        }),
        response: { 200: Type.Intersect([Report, Type.Object({ position: Type.Integer() })]), ...errorResponses },
      },
    },
    async (request) => {
      const report = await readModels.getReport(request.params.id);
      if (!report) throw notFound('report_not_found', 'no such report');
      const context = { ...contextOf(request), globalRole: request.user.role };
      const note = request.body.note ?? null;
      const result = await reviewReport(
        commands,
        { reportId: report.id, messageId: report.messageId, threadId: report.threadId, status: request.body.status, note },
        context,
      );
      return {
        ...presentReport(report),
        status: request.body.status,
        reviewed_by: request.user.userId,
        reviewed_at: context.now.toISOString(),
        note,
        position: result.position ?? 0,
      };
    },
  );
};
