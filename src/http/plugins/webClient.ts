import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** web/dist, found from this file whether it runs from src/ (tsx) or dist/src/ (compiled). */
export function webDistDir(): string | null {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 5; i++) {
    if (existsSync(join(dir, 'package.json'))) {
      const dist = join(dir, 'web', 'dist');
      return existsSync(join(dist, 'index.html')) ? dist : null;
    }
    dir = dirname(dir);
  }
  return null;
}

const API_PREFIXES = ['/api/', '/ws/', '/docs', '/metrics', '/healthz', '/readyz'];

/**
 * Serves the web client at `/`, with index.html for client-side routes (SPA
 * fallback); every other unknown route is a JSON 404.
 */
export const webClientPlugin = fp(async (app: FastifyInstance) => {
  const root = webDistDir();
  if (root) await app.register(fastifyStatic, { root, wildcard: false, index: ['index.html'] });
  else app.log.warn('web/dist not found: the web client is not served (run npm run build:web)');
  app.setNotFoundHandler((request, reply) => {
    const path = request.url.split('?')[0]!;
    const wantsPage =
      root !== null && request.method === 'GET' && !API_PREFIXES.some((p) => path.startsWith(p)) && !/\.[a-z0-9]+$/i.test(path);
    if (wantsPage) return reply.type('text/html').sendFile('index.html');
    return reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${path}` } });
  });
});
