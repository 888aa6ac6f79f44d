import Database from 'better-sqlite3';
import Fastify from 'fastify';

/**
 * The bare durable-write baseline: one fastify route appending one row per
 * request to a SQLite WAL file with synchronous=FULL, with group commit (every
 * request pending in one turn of the event loop shares one transaction, hence
 * one fsync), answering only after the commit. No auth, no decider, no
 * concurrency check: the ceiling of a durable write path on this machine.
 */
const db = new Database(process.env.BASELINE_DB ?? 'baseline.db');
db.pragma('journal_mode = WAL');
db.pragma('synchronous = FULL');
db.exec('CREATE TABLE IF NOT EXISTS messages (position INTEGER PRIMARY KEY AUTOINCREMENT, thread TEXT NOT NULL, content TEXT NOT NULL, created_at TEXT NOT NULL)');
const insert = db.prepare('INSERT INTO messages (thread, content, created_at) VALUES (?, ?, ?)');

interface Pending {
  thread: string;
  content: string;
  createdAt: string;
  resolve(position: number): void;
}
let queue: Pending[] = [];
let scheduled = false;
const commit = db.transaction((batch: Pending[]) => batch.map((p) => Number(insert.run(p.thread, p.content, p.createdAt).lastInsertRowid)));

function flush(): void {
  scheduled = false;
  const batch = queue;
  queue = [];
  const positions = commit(batch);
  batch.forEach((pending, i) => pending.resolve(positions[i]!));
}

const append = (thread: string, content: string, createdAt: string) =>
  new Promise<number>((resolve) => {
    queue.push({ thread, content, createdAt, resolve });
    if (!scheduled) {
      scheduled = true;
      setImmediate(flush);
    }
  });

const app = Fastify({ logger: false });
app.get('/healthz', async () => ({ status: 'ok' }));
app.post('/api/chat/messages/', async (request, reply) => {
  const { thread, content } = request.body as { thread: string; content: string };
  const createdAt = new Date().toISOString();
  const position = await append(thread, content, createdAt);
  return reply.status(201).send({ thread, content, created_at: createdAt, position });
});

await app.listen({ host: process.env.HOST ?? '127.0.0.1', port: Number(process.env.PORT ?? 0) });
process.on('SIGTERM', () => {
  db.close();
  process.exit(0);
});
