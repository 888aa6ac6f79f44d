import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { HttpError } from './errors.js';

declare module 'fastify' {
  interface FastifyInstance {
    /** Read-your-writes: waits (bounded) until every projection has applied `position`; 503 otherwise. */
    awaitPosition(position: number | undefined): Promise<void>;
  }
}

export const consistencyPlugin = fp(async (app: FastifyInstance) => {
  const { projections, config } = app.services;
  app.decorate('awaitPosition', async (position: number | undefined) => {
    if (position === undefined || position <= 0) return;
    const reached = await Promise.all(projections.map((p) => p.waitFor(position, config.minPositionWaitMs)));
    if (reached.includes(false)) {
      throw new HttpError(503, 'projection_lagging', `read models have not reached position ${position} yet; retry`, {
        'retry-after': '1',
      });
    }
  });
});
