import Fastify from 'fastify';
import { groupCommitLog } from './groupCommit.js';

/**
 * The bare durable-write baseline: one fastify route appending one row per
 * request with group commit (groupCommit.ts), answering only after the commit.
 * No auth, no decider, no concurrency check: the ceiling of a durable write
 * path on this machine.
 */
const log = groupCommitLog(process.env.BASELINE_DB ?? 'baseline.db');

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/api/chat/messages/', async (request, reply) => {
  const { thread, content } = request.body as { thread: string; content: string };
  const createdAt = new Date().toISOString();
  const position = await log.append(thread, content, createdAt);
  return reply.status(201).send({ thread, content, created_at: createdAt, position });
});

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => {
  log.close();
  process.exit(0);
});
