import { Readable } from 'node:stream';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { loadUser } from '../../commands/users.js';
import { notFound } from '../../domain/decider.js';
import type { ActiveThread } from '../../domain/thread.js';
import { requireGlobalModerator, requireThreadModerator } from '../../moderation/access.js';
import { ActorNames, REDACTED_CONTENT_NOTICE, toAuditEntry } from '../../moderation/auditEntry.js';
import { replayThread, type ReplayPoint, type ThreadReplay } from '../../moderation/replayThread.js';
import { threadAuditEvents, threadAuditPage } from '../../moderation/threadAudit.js';
import { userActivityPage } from '../../moderation/userActivity.js';
import { HttpError } from '../plugins/errors.js';
import { errorResponses, Id, Member, Message, MinPositionQuery, Nullable } from '../schemas.js';

const AuditEntry = Type.Object({
  id: Type.String({ description: 'the event id, which causationId refers to' }),
  stream: Type.String(),
  seq: Type.Integer({ description: 'revision of the event in its stream; in the thread stream, the seq clients see' }),
  position: Type.Integer(),
  type: Type.String(),
  data: Type.Unknown(),
  metadata: Type.Object({
    actorId: Nullable(Type.String()),
    actor_username: Nullable(Type.String()),
    correlationId: Type.String(),
    causationId: Nullable(Type.String()),
    occurredAt: Type.String(),
    schemaVersion: Type.Integer(),
  }),
  content_redacted: Type.Optional(Type.Boolean({ description: 'this MessagePosted was redacted since: members no longer see its text' })),
});
const ActivityEntry = Type.Intersect([AuditEntry, Type.Object({ thread: Nullable(Type.String()) })]);
const Notice = { includes_redacted_content: Type.Literal(true), notice: Type.String() };
const ThreadParams = Type.Object({ id: Id });

const NDJSON = 'application/x-ndjson';
const AUDIT_STREAM_PAGE = 500;
const NOTICE_HEADER = 'x-audit-includes-redacted-content';

/** Moderators' audit of the log: every event as recorded, a thread as it stood at any point, a user's activity. */
export const moderationRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { commands, readModels, store } = app.services;
  const deps = { store, readModels };
  app.addHook('onRequest', app.authenticate);

  app.get(
    '/api/moderation/threads/:id/audit',
    {
      schema: {
        tags: ['moderation'],
        description: `Every event of the thread as recorded, with the report events of its messages merged in by position. With \`Accept: ${NDJSON}\` the whole history from \`from_seq\` streams as NDJSON, read from the store page by page.`,
        params: ThreadParams,
        querystring: Type.Intersect([
          MinPositionQuery,
          Type.Object({
            from_seq: Type.Optional(Type.Integer({ minimum: 0 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
          }),
        ]),
        response: {
          200: Type.Object({ thread: Type.String(), ...Notice, results: Type.Array(AuditEntry), next_from_seq: Nullable(Type.Integer()) }),
          ...errorResponses,
        },
      },
    },
    async (request, reply) => {
      const { from_seq: fromSeq = 0, limit = 100, min_position } = request.query;
      await app.awaitPosition(min_position);
      const threadId = request.params.id;
      const thread = await requireThreadModerator(commands, threadId, request.user);
      const actors = new ActorNames(readModels);
      const isRedacted = (messageId: string) => thread.messages.get(messageId)?.redacted ?? false;
      reply.header(NOTICE_HEADER, 'true');
      if (request.headers.accept?.includes(NDJSON)) {
        const lines = async function* () {
          for await (const event of threadAuditEvents(deps, threadId, { fromSeq, pageSize: AUDIT_STREAM_PAGE })) {
            yield `${JSON.stringify(await toAuditEntry(event, actors, isRedacted))}\n`;
          }
        };
        // Pulled as the client reads: one page of the log in memory at a time. A stream skips the JSON
        // serializer, so the 200 schema (the JSON page) does not apply and the typed send needs the cast.
        return reply.type(`${NDJSON}; charset=utf-8`).send(Readable.from(lines()) as never);
      }
      const page = await threadAuditPage(deps, threadId, { fromSeq, limit });
      const results = await Promise.all(page.events.map((event) => toAuditEntry(event, actors, isRedacted)));
      return { thread: threadId, includes_redacted_content: true as const, notice: REDACTED_CONTENT_NOTICE, results, next_from_seq: page.nextFromSeq };
    },
  );

  app.get(
    '/api/moderation/threads/:id/state',
    {
      schema: {
        tags: ['moderation'],
        description:
          'The thread as members saw it after the event at `seq`, or at time `at` (ISO 8601), folded from its events with the write side’s evolve. Without either: now.',
        params: ThreadParams,
        querystring: Type.Object({
          at: Type.Optional(Type.String({ maxLength: 64 })),
          seq: Type.Optional(Type.Integer({ minimum: 0 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, description: 'newest messages to return (default 200)' })),
        }),
        response: {
          200: Type.Object({
            thread: Type.String(),
            as_of: Type.Object({ seq: Type.Integer(), position: Type.Integer(), occurred_at: Type.String() }),
            title: Type.String(),
            visibility: Type.String(),
            created_by: Type.String(),
            created_at: Type.String(),
            last_activity_at: Type.String(),
            member_count: Type.Integer(),
            members: Type.Array(Member),
            messages: Type.Array(Message),
            has_more_messages: Type.Boolean(),
            redacted_message_ids: Type.Array(Type.String()),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { at, seq, limit = 200 } = request.query;
      const threadId = request.params.id;
      await requireThreadModerator(commands, threadId, request.user);
      const replay = await replayThread(store, threadId, replayPoint(at, seq), { keepMessages: limit });
      if (!replay) throw notFound('thread_not_found', 'the thread did not exist at that point');
      return presentReplay(threadId, replay);
    },
  );

  app.get(
    '/api/moderation/users/:id/activity',
    {
      schema: {
        tags: ['moderation'],
        description: 'Global moderators and admins: the events a user took part in across threads (as actor or subject), newest first.',
        params: Type.Object({ id: Id }),
        querystring: Type.Intersect([
          MinPositionQuery,
          Type.Object({
            before_position: Type.Optional(Type.Integer({ minimum: 1 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          }),
        ]),
        response: {
          200: Type.Object({
            user: Type.Object({ id: Type.String(), username: Type.String(), role: Type.String() }),
            ...Notice,
            results: Type.Array(ActivityEntry),
            next_before_position: Nullable(Type.Integer()),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { before_position, limit = 50, min_position } = request.query;
      requireGlobalModerator(request.user);
      await app.awaitPosition(min_position);
      const user = await loadUser(commands, request.params.id);
      if (!user) throw notFound('user_not_found', 'no such user');
      const page = await userActivityPage(deps, user.userId, { beforePosition: before_position, limit });
      const actors = new ActorNames(readModels);
      const isRedacted = async (messageId: string) => (await readModels.getMessage(messageId))?.redacted ?? false;
      const results = await Promise.all(
        page.results.map(async ({ event, threadId }) => ({ ...(await toAuditEntry(event, actors, isRedacted)), thread: threadId })),
      );
      return {
        user: { id: user.userId, username: user.username, role: user.role },
        includes_redacted_content: true as const,
        notice: REDACTED_CONTENT_NOTICE,
        results,
        next_before_position: page.nextBeforePosition,
      };
    },
  );

  function replayPoint(at: string | undefined, seq: number | undefined): ReplayPoint {
    if (at !== undefined && seq !== undefined) throw new HttpError(400, 'bad_request', 'pass at or seq, not both');
    if (seq !== undefined) return { seq };
    if (at === undefined) return null;
    const time = new Date(at);
    if (Number.isNaN(time.getTime())) throw new HttpError(400, 'bad_request', 'at must be an ISO 8601 time');
    return { at: time };
  }

  /** The replay in the live API's shapes (thread detail, members, history), so the two compare directly. */
  async function presentReplay(threadId: string, replay: ThreadReplay) {
    const { thread } = replay;
    const userIds = new Set([...thread.members.keys(), ...replay.messages.map((m) => m.authorId)]);
    const users = new Map(await Promise.all([...userIds].map(async (id) => [id, await readModels.getUser(id)] as const)));
    const members = [...thread.members]
      .map(([userId, role]) => ({ user: { id: userId, username: users.get(userId)?.username ?? '' }, role, joined_at: replay.joinedAt.get(userId) ?? '' }))
      .sort((a, b) => compare(a.joined_at, b.joined_at) || compare(a.user.id, b.user.id));
    const messages = replay.messages.map((m) => {
      const author = users.get(m.authorId);
      const redacted = isRedactedIn(thread, m.id);
      return {
        id: m.id,
        thread: threadId,
        author: { id: m.authorId, username: author?.username ?? '', email: author?.email ?? '' },
        content: redacted ? null : m.content,
        created_at: m.createdAt,
        seq: m.seq,
        position: m.position,
        redacted,
        redacted_by: m.redactedBy,
        redacted_at: m.redactedAt,
      };
    });
    return {
      thread: threadId,
      as_of: { seq: replay.last.seq, position: replay.last.position, occurred_at: replay.last.occurredAt },
      title: thread.title,
      visibility: thread.visibility,
      created_by: thread.createdBy,
      created_at: replay.createdAt,
      last_activity_at: replay.lastActivityAt,
      member_count: thread.members.size,
      members,
      messages,
      has_more_messages: replay.messageCount > messages.length,
      redacted_message_ids: [...thread.messages].filter(([, facts]) => facts.redacted).map(([id]) => id),
    };
  }
};

const isRedactedIn = (thread: ActiveThread, messageId: string) => thread.messages.get(messageId)?.redacted ?? false;
/** Binary order, as the SQLite read model sorts. */
const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
