import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { postMessage } from '../../commands/postMessage.js';
import { redactMessage } from '../../commands/reports.js';
import { forbidden, invalid, notFound } from '../../domain/decider.js';
import { threadDecider, threadStream } from '../../domain/thread.js';
import { rateLimit } from '../../limits/rateLimit.js';
import { contextOf } from '../context.js';
import { HttpError } from '../plugins/errors.js';
import { presentMessage } from '../present.js';
import { errorResponses, Id, Message, MinPositionQuery } from '../schemas.js';

export const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { commands, readModels, config } = app.services;
  app.addHook('onRequest', app.authenticate);
  // Per user, across all their sockets and tabs on this node.
  const postLimit = rateLimit({ name: 'posts', perSecond: config.rateLimits.postsPerSecond, burst: config.rateLimits.postsBurst });

  app.post(
    '/api/chat/messages',
    {
      schema: {
        tags: ['messages'],
        body: Type.Object({
          thread: Id,
          // The decider enforces 1..4000 characters after trimming; this only bounds the raw input.
          content: Type.String({ maxLength: 20_000 }),
          client_message_id: Type.Optional(Type.Union([Type.String({ maxLength: 64 }), Type.Null()])),
        }),
        response: { 201: Message, ...errorResponses },
      },
    },
    async (request, reply) => {
      const take = await postLimit.take(request.user.userId);
      if (!take.allowed) {
        const seconds = String(Math.ceil(take.retryAfterMs / 1000));
        throw new HttpError(429, 'rate_limited', `too many messages; retry in ${seconds} s`, { 'retry-after': seconds });
      }
      const { thread, content, client_message_id } = request.body;
      const posted = await postMessage(commands, { threadId: thread, content, clientMessageId: client_message_id ?? null }, contextOf(request));
      const { userId, username, email } = request.user;
      // A retry answers with the original, which may have been redacted since: its text must not come back.
      const { state } = posted.created ? { state: null } : await commands.aggregates.load(threadStream(thread), threadDecider);
      if (state?.status === 'active' && state.messages.get(posted.messageId)?.redacted) {
        const view = await readModels.getMessage(posted.messageId);
        return reply.status(201).send({
          id: posted.messageId,
          thread: posted.threadId,
          author: { id: userId, username, email },
          content: null,
          created_at: posted.createdAt,
          seq: posted.seq,
          position: posted.position,
          redacted: true,
          redacted_by: view?.redactedBy ?? null,
          redacted_at: view?.redactedAt ?? null,
        });
      }
      return reply.status(201).send({
        id: posted.messageId,
        thread: posted.threadId,
        author: { id: userId, username, email },
        content: posted.content,
        created_at: posted.createdAt,
        seq: posted.seq,
        position: posted.position,
        redacted: false,
      });
    },
  );

  app.get(
    '/api/chat/messages',
    {
      schema: {
        tags: ['messages'],
        querystring: Type.Intersect([
          MinPositionQuery,
          Type.Object({
            thread: Id,
            before_seq: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          }),
        ]),
        response: { 200: Type.Object({ results: Type.Array(Message), has_more: Type.Boolean() }), ...errorResponses },
      },
    },
    async (request) => {
      const { thread: threadId, before_seq, limit, min_position } = request.query;
      await app.awaitPosition(min_position);
      const [thread, role] = await Promise.all([readModels.getThread(threadId), readModels.getMemberRole(threadId, request.user.userId)]);
      if (!thread || (thread.visibility === 'private' && !role)) throw notFound('thread_not_found', 'no such thread');
      if (!role) throw forbidden('not_a_member', 'join the thread to read its history');
      const page = await readModels.listMessages(threadId, { beforeSeq: before_seq, limit: limit ?? 50 });
      return { results: page.results.map(presentMessage), has_more: page.hasMore };
    },
  );

  app.post(
    '/api/chat/messages/:id/redact',
    {
      schema: {
        tags: ['messages'],
        description: 'The author, the thread’s owners and moderators, and global moderators redact a message: its text is gone for members.',
        params: Type.Object({ id: Id }),
        querystring: MinPositionQuery,
        body: Type.Object({ reason: Type.String({ maxLength: 1000 }) }),
        response: { 200: Type.Intersect([Message, Type.Object({ position: Type.Integer() })]), ...errorResponses },
      },
    },
    async (request) => {
      await app.awaitPosition(request.query.min_position);
      const reason = request.body.reason.trim();
      if (!reason) throw invalid('invalid_reason', 'say why the message is redacted');
      // The read model only locates the message's thread; the rules run on the write model.
      const message = await readModels.getMessage(request.params.id);
      if (!message) throw notFound('message_not_found', 'no such message');
      const context = { ...contextOf(request), globalRole: request.user.role };
      const result = await redactMessage(commands, { threadId: message.threadId, messageId: message.id, reason }, context);
      return {
        ...presentMessage(message),
        content: null,
        redacted: true,
        redacted_by: request.user.userId,
        redacted_at: context.now.toISOString(),
        position: result.position ?? 0,
      };
    },
  );
};
