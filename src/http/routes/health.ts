import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import Type from 'typebox';
import { LAG_COUNT_CAP, measureLag } from '../../metrics/projectionLag.js';

const Projection = Type.Object({
  name: Type.String(),
  position: Type.Integer(),
  /** Events not applied yet, counted up to a cap above the bound. */
  lag: Type.Integer(),
  lag_seconds: Type.Number(),
  failure: Type.Union([Type.Null(), Type.Object({ position: Type.Integer(), type: Type.String(), message: Type.String() })]),
});
const Readiness = Type.Object({
  status: Type.String(),
  head: Type.Integer(),
  max_lag: Type.Integer(),
  max_lag_seconds: Type.Number(),
  /** Why the server is not ready, one line per projection; empty when ready. */
  problems: Type.Array(Type.String()),
  projections: Type.Array(Projection),
});

export const healthRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { store, projections, config } = app.services;
  const { maxLagEvents, maxLagSeconds } = config.readiness;

  app.get('/healthz', { schema: { tags: ['operations'], response: { 200: Type.Object({ status: Type.String() }) } } }, async () => ({
    status: 'ok',
  }));

  /** Ready while every projection runs and lags at most READY_MAX_LAG_EVENTS events and READY_MAX_LAG_SECONDS seconds. */
  app.get('/readyz', { schema: { tags: ['operations'], response: { 200: Readiness, 503: Readiness } } }, async (_request, reply) => {
    const head = await store.headPosition();
    const cap = Math.max(LAG_COUNT_CAP, maxLagEvents + 1);
    const report = await Promise.all(
      projections.map(async (p) => {
        const lag = await measureLag(store, p.position, cap);
        return { name: p.projection.name, position: p.position, lag: lag.events, lag_seconds: lag.seconds, failure: p.failure };
      }),
    );
    const problems = report.flatMap((p) => {
      if (p.failure) return [`projection ${p.name} stopped at position ${p.failure.position} (${p.failure.type}): ${p.failure.message}`];
      if (p.lag > maxLagEvents) return [`projection ${p.name} lags ${p.lag} events (bound ${maxLagEvents})`];
      if (p.lag_seconds > maxLagSeconds) return [`projection ${p.name} lags ${p.lag_seconds.toFixed(1)} s (bound ${maxLagSeconds} s)`];
      return [];
    });
    const ready = problems.length === 0;
    return reply.status(ready ? 200 : 503).send({
      status: ready ? 'ready' : 'not_ready',
      head,
      max_lag: maxLagEvents,
      max_lag_seconds: maxLagSeconds,
      problems,
      projections: report,
    });
  });
};
