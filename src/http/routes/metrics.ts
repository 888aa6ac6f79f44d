import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { createServerMetrics } from '../../metrics/serverMetrics.js';
import { bearerToken } from '../plugins/authenticate.js';
import { HttpError } from '../plugins/errors.js';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Prometheus text. With METRICS_TOKEN set, scrapers send it as a Bearer token. */
export const metricsRoutes: FastifyPluginAsync = async (app) => {
  const { store, projections, config } = app.services;
  const metrics = createServerMetrics({ store, projections, dataDir: config.dataDir });
  const expected = config.metricsToken === null ? null : digest(config.metricsToken);

  app.get('/metrics', { schema: { tags: ['operations'], hide: true } }, async (request, reply) => {
    if (expected) {
      const token = bearerToken(request.headers.authorization);
      // Compared as digests: equal lengths, constant time.
      if (!token || !timingSafeEqual(digest(token), expected)) {
        throw new HttpError(401, 'unauthenticated', 'metrics need the METRICS_TOKEN as a Bearer token', { 'www-authenticate': 'Bearer' });
      }
    }
    return reply.header('content-type', metrics.contentType).send(await metrics.metrics());
  });
};
