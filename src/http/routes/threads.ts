import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { changeMemberRole, createThread, inviteMember, joinThread, leaveThread, removeMember } from '../../commands/threads.js';
import { findUserByUsername, loadUser } from '../../commands/users.js';
import { forbidden, isUuid, notFound } from '../../domain/decider.js';
import { contextOf } from '../context.js';
import { presentThread } from '../present.js';
import { errorResponses, Id, MinPositionQuery, ThreadDetail, ThreadSummary } from '../schemas.js';

const ThreadParams = Type.Object({ id: Id });
const MemberParams = Type.Object({ id: Id, userId: Id });
const Membership = Type.Object({
  thread: Type.String(),
  user: Type.String(),
  role: Type.Union([Type.String(), Type.Null()]),
  position: Type.Integer(),
});
const Visibility = Type.Union([Type.Literal('public'), Type.Literal('private')]);
const Role = Type.Union([Type.Literal('owner'), Type.Literal('moderator'), Type.Literal('member')]);

export const threadRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { commands, readModels, store } = app.services;
  app.addHook('onRequest', app.authenticate);

  /** Thread detail as the caller may see it: private threads do not exist for outsiders. */
  async function threadDetail(threadId: string, userId: string, globalRole: string) {
    const [thread, role] = await Promise.all([readModels.getThread(threadId), readModels.getMemberRole(threadId, userId)]);
    const mayModerate = globalRole === 'moderator' || globalRole === 'admin';
    if (!thread || (thread.visibility === 'private' && !role && !mayModerate)) throw notFound('thread_not_found', 'no such thread');
    const members = await readModels.listMembers(threadId);
    return {
      ...presentThread(thread, role),
      members: members.map((m) => ({ user: { id: m.userId, username: m.username }, role: m.role, joined_at: m.joinedAt })),
    };
  }

  /** A command that appended nothing still answers with a position the caller can wait for. */
  const positionOf = async (position: number | null) => position ?? (await store.headPosition());

  app.get(
    '/api/chat/threads',
    {
      schema: {
        tags: ['threads'],
        querystring: Type.Intersect([MinPositionQuery, Type.Object({ limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })) })]),
        response: { 200: Type.Array(ThreadSummary), ...errorResponses },
      },
    },
    async (request) => {
      await app.awaitPosition(request.query.min_position);
      const threads = await readModels.listThreadsVisibleTo(request.user.userId, request.query.limit ?? 100);
      const roles = await Promise.all(threads.map((t) => readModels.getMemberRole(t.id, request.user.userId)));
      return threads.map((t, i) => presentThread(t, roles[i] ?? null));
    },
  );

  app.post(
    '/api/chat/threads',
    {
      schema: {
        tags: ['threads'],
        body: Type.Object({ title: Type.String({ maxLength: 1000 }), visibility: Type.Optional(Visibility) }),
        response: { 201: Type.Intersect([ThreadDetail, Type.Object({ position: Type.Integer() })]), ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await createThread(commands, { title: request.body.title, visibility: request.body.visibility ?? 'public' }, contextOf(request));
      const position = await positionOf(result.position);
      await app.awaitPosition(position);
      const threadId = result.events[0]!.data.threadId;
      return reply.status(201).send({ ...(await threadDetail(threadId, request.user.userId, request.user.role)), position });
    },
  );

  app.get(
    '/api/chat/threads/:id',
    {
      schema: { tags: ['threads'], params: ThreadParams, querystring: MinPositionQuery, response: { 200: ThreadDetail, ...errorResponses } },
    },
    async (request) => {
      await app.awaitPosition(request.query.min_position);
      return threadDetail(request.params.id, request.user.userId, request.user.role);
    },
  );

  app.get(
    '/api/chat/threads/:id/presence',
    {
      schema: {
        tags: ['threads'],
        params: ThreadParams,
        querystring: MinPositionQuery,
        response: { 200: Type.Object({ users: Type.Array(Type.Object({ id: Type.String(), username: Type.String() })) }), ...errorResponses },
      },
    },
    async (request) => {
      await app.awaitPosition(request.query.min_position);
      const threadId = request.params.id;
      const [thread, role] = await Promise.all([readModels.getThread(threadId), readModels.getMemberRole(threadId, request.user.userId)]);
      if (!thread || (thread.visibility === 'private' && !role)) throw notFound('thread_not_found', 'no such thread');
      if (!role) throw forbidden('not_a_member', 'join the thread to see who is online');
      // Presence is ephemeral: the gateway's cluster-wide view, never a read model.
      return { users: app.gateway.presenceOf(threadId) };
    },
  );

  const membershipSchema = { tags: ['threads'], params: ThreadParams, response: { 200: Membership, ...errorResponses } };

  app.post('/api/chat/threads/:id/join', { schema: membershipSchema }, async (request) => {
    const result = await joinThread(commands, request.params.id, contextOf(request));
    const role = result.state.status === 'active' ? (result.state.members.get(request.user.userId) ?? null) : null;
    return { thread: request.params.id, user: request.user.userId, role, position: await positionOf(result.position) };
  });

  app.post('/api/chat/threads/:id/leave', { schema: membershipSchema }, async (request) => {
    const result = await leaveThread(commands, request.params.id, contextOf(request));
    return { thread: request.params.id, user: request.user.userId, role: null, position: await positionOf(result.position) };
  });

  app.post(
    '/api/chat/threads/:id/invite',
    {
      schema: {
        ...membershipSchema,
        body: Type.Object({ user: Type.String({ minLength: 1, maxLength: 64, description: 'user id or username' }) }),
      },
    },
    async (request) => {
      const ref = request.body.user;
      const invitee = isUuid(ref) ? await loadUser(commands, ref) : await findUserByUsername(commands, ref);
      if (!invitee) throw notFound('user_not_found', 'no such user');
      const result = await inviteMember(commands, request.params.id, invitee.userId, contextOf(request));
      const role = result.state.status === 'active' ? (result.state.members.get(invitee.userId) ?? null) : null;
      return { thread: request.params.id, user: invitee.userId, role, position: await positionOf(result.position) };
    },
  );

  app.delete(
    '/api/chat/threads/:id/members/:userId',
    {
      schema: {
        tags: ['threads'],
        params: MemberParams,
        querystring: Type.Object({ reason: Type.Optional(Type.String({ maxLength: 1000 })) }),
        response: { 200: Membership, ...errorResponses },
      },
    },
    async (request) => {
      const { id, userId } = request.params;
      const result = await removeMember(commands, id, userId, request.query.reason ?? null, contextOf(request));
      return { thread: id, user: userId, role: null, position: await positionOf(result.position) };
    },
  );

  app.patch(
    '/api/chat/threads/:id/members/:userId',
    {
      schema: { tags: ['threads'], params: MemberParams, body: Type.Object({ role: Role }), response: { 200: Membership, ...errorResponses } },
    },
    async (request) => {
      const { id, userId } = request.params;
      const result = await changeMemberRole(commands, id, userId, request.body.role, contextOf(request));
      return { thread: id, user: userId, role: request.body.role, position: await positionOf(result.position) };
    },
  );
};
