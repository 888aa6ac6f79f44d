import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';

const Projection = Type.Object({
  name: Type.String(),
  position: Type.Integer(),
  lag: Type.Integer(),
  failure: Type.Union([Type.Null(), Type.Object({ position: Type.Integer(), type: Type.String(), message: Type.String() })]),
});
const Readiness = Type.Object({ status: Type.String(), head: Type.Integer(), projections: Type.Array(Projection) });

/** Readiness fails when a projection stopped or lags more than this many events behind the log. */
const MAX_LAG = 1000;

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, projections } = app.services;

  app.get('/healthz', { schema: { tags: ['operations'], response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({
    status: 'ok',
  }));

  app.get('/readyz', { schema: { tags: ['operations'], response: { 200: Readiness, 503: Readiness } } }, async (_request, reply) => {
    const head = await store.headPosition();
    const report = projections.map((p) => ({
      name: p.projection.name,
      position: p.position,
      lag: Math.max(0, head - p.position),
      failure: p.failure,
    }));
    const ready = report.every((p) => p.failure === null && p.lag <= MAX_LAG);
    return reply.status(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not_ready', head, projections: report });
  });
};
