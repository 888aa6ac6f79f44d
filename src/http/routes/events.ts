import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import type { OutgoingHttpHeaders } from 'node:http';
import Type from 'typebox';
import { checkApiKey, hasCapability } from '../../analytics/access.js';
import { FeedEvent } from '../../analytics/feedEvent.js';
import { parseFilter, readFeedPage } from '../../analytics/feedReader.js';
import { streamFeed } from '../../analytics/feedStream.js';
import { NewEvents } from '../../analytics/newEvents.js';
import { RedactionIndex } from '../../analytics/redactionIndex.js';
import { feedEventsSent } from '../../metrics/metrics.js';
import { bearerToken } from '../plugins/authenticate.js';
import { HttpError } from '../plugins/errors.js';
import { errorResponses } from '../schemas.js';

const Filters = {
  types: Type.Optional(Type.String({ maxLength: 2000, description: 'comma-separated event types, e.g. MessagePosted,MessageRedacted' })),
  thread: Type.Optional(Type.String({ maxLength: 200, description: 'only events whose data names this thread' })),
};
const FromPosition = Type.Optional(Type.Integer({ minimum: 0, description: 'exclusive: events after this position (0: from the start)' }));

/**
 * The analytics event feed: pages (`GET /api/events/`) and a live Server-Sent
 * Events stream (`GET /api/events/stream`) over the whole log, for analysts,
 * admins and API keys with the `events:read` scope.
 */
export const eventRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, commands, config } = app.services;
  const redactions = new RedactionIndex(store);
  const newEvents = new NewEvents(store);
  const shutdown = new AbortController();
  app.addHook('preClose', async () => shutdown.abort());

  async function authorizeFeed(request: FastifyRequest): Promise<void> {
    const apiKey = request.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey !== '') {
      const check = await checkApiKey(commands, apiKey);
      if (check.status !== 'valid') throw new HttpError(401, 'invalid_api_key', 'the API key is unknown or revoked');
      if (!check.scopes.includes('events:read')) throw new HttpError(403, 'insufficient_scope', 'the API key lacks the events:read scope');
      return;
    }
    const token = bearerToken(request.headers.authorization);
    if (!token) throw new HttpError(401, 'unauthenticated', 'a Bearer token or an X-API-Key header is required');
    const user = await app.userForToken(token);
    if (!user) throw new HttpError(401, 'unauthenticated', 'a valid Bearer token is required');
    if (user.role === 'admin' || (await hasCapability(commands, user.userId, 'analyst'))) return;
    throw new HttpError(403, 'not_an_analyst', 'the event feed is for users with the analyst capability and admins');
  }

  app.get(
    '/api/events',
    {
      onRequest: authorizeFeed,
      schema: {
        tags: ['analytics'],
        querystring: Type.Object({
          from_position: FromPosition,
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          ...Filters,
        }),
        response: {
          200: Type.Object({
            events: Type.Array(FeedEvent),
            next_position: Type.Integer({ description: 'the from_position of the next page' }),
          }),
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { from_position, limit, types, thread } = request.query;
      const page = await readFeedPage(store, redactions, {
        after: from_position ?? 0,
        limit: limit ?? 100,
        filter: parseFilter({ types, thread }),
      });
      feedEventsSent.inc({ via: 'page' }, page.events.length);
      return { events: page.events, next_position: page.nextPosition };
    },
  );

  app.get(
    '/api/events/stream',
    {
      onRequest: authorizeFeed,
      schema: {
        tags: ['analytics'],
        description:
          'Server-Sent Events: each frame\'s id is the event position; reconnect with Last-Event-ID (or from_position) to resume after it. Heartbeat comments keep idle connections open.',
        headers: Type.Object({ 'last-event-id': Type.Optional(Type.String({ pattern: '^[0-9]{1,15}$' })) }),
        querystring: Type.Object({ from_position: FromPosition, ...Filters }),
        response: errorResponses,
      },
    },
    async (request, reply) => {
      const { from_position, types, thread } = request.query;
      const lastEventId = request.headers['last-event-id'];
      // A browser's automatic reconnect sends Last-Event-ID: it is newer than the URL it reconnects to.
      const after = lastEventId !== undefined ? Number(lastEventId) : (from_position ?? 0);
      reply.hijack();
      reply.raw.writeHead(200, {
        // Headers plugins set before the hijack (CORS) still apply.
        ...(reply.getHeaders() as OutgoingHttpHeaders),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache, no-transform',
        // The stream is the whole response: the connection closes with it (also at shutdown).
        connection: 'close',
        'x-accel-buffering': 'no',
      });
      try {
        await streamFeed(
          reply.raw,
          { store, redactions, newEvents },
          {
            after,
            filter: parseFilter({ types, thread }),
            heartbeatMs: config.feed.heartbeatMs,
            stallTimeoutMs: config.feed.stallTimeoutMs,
            signal: shutdown.signal,
          },
        );
      } catch (error) {
        request.log.error({ err: error }, 'event stream failed');
        reply.raw.destroy();
      }
    },
  );
};
