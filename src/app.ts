import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyInstance, type FastifyServerOptions } from 'fastify';
import { authenticatePlugin } from './http/plugins/authenticate.js';
import { consistencyPlugin } from './http/plugins/consistency.js';
import { errorsPlugin } from './http/plugins/errors.js';
import { gatewayPlugin } from './gateway/plugin.js';
import { authRoutes } from './http/routes/auth.js';
import { eventRoutes } from './http/routes/events.js';
import { metricsRoutes } from './http/routes/metrics.js';
import { httpMetricsPlugin } from './metrics/httpMetrics.js';
import { healthRoutes } from './http/routes/health.js';
import { messageRoutes } from './http/routes/messages.js';
import { moderationRoutes } from './http/routes/moderation.js';
import { reportRoutes } from './http/routes/reports.js';
import { threadRoutes } from './http/routes/threads.js';
import { redactUrl } from './http/redact.js';
import { webClientPlugin } from './http/plugins/webClient.js';
import type { Services } from './services.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: Services;
  }
}

export const BODY_LIMIT = 64 * 1024;

export function loggerOptions(level: string): FastifyServerOptions['logger'] {
  return {
    level,
    // Tokens travel in headers and (for sockets) in the URL: neither reaches the logs.
    redact: { paths: ['req.headers.authorization', 'req.headers["sec-websocket-protocol"]', 'req.headers.cookie'], censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), ip: req.ip }),
    },
  };
}

/** The HTTP application: infrastructure plugins first, then services, then route groups. */
export async function buildApp(services: Services, options: { logger?: FastifyServerOptions['logger'] } = {}) {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true },
    genReqId: () => crypto.randomUUID(),
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('services', services);
  await app.register(errorsPlugin);
  await app.register(httpMetricsPlugin);
  await app.register(cors, { origin: services.config.allowedOrigins, credentials: false });
  await app.register(swagger, {
    openapi: {
      info: { title: 'Threadline chat API', version: '1.0.0' },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
      security: [{ bearer: [] }],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  await app.register(authenticatePlugin);
  await app.register(consistencyPlugin);
  await app.register(gatewayPlugin);

  await app.register(healthRoutes);
  await app.register(authRoutes);
  await app.register(threadRoutes);
  await app.register(messageRoutes);
  await app.register(reportRoutes);
  await app.register(eventRoutes);
  await app.register(metricsRoutes);
  await app.register(moderationRoutes);
  await app.register(webClientPlugin);
  return app as unknown as FastifyInstance;
}
