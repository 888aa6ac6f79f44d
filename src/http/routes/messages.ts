import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { postMessage } from '../../commands/postMessage.js';
import { forbidden, notFound } from '../../domain/decider.js';
import { contextOf } from '../context.js';
import { presentMessage } from '../present.js';
import { errorResponses, Id, Message, MinPositionQuery } from '../schemas.js';

export const messageRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { commands, readModels } = app.services;
  app.addHook('onRequest', app.authenticate);

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
      const { thread, content, client_message_id } = request.body;
      const posted = await postMessage(commands, { threadId: thread, content, clientMessageId: client_message_id ?? null }, contextOf(request));
      const { userId, username, email } = request.user;
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
};
