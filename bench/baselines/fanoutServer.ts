import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import { WebSocketServer, type WebSocket } from 'ws';
import { groupCommitLog } from './groupCommit.js';

/**
 * The bare fan-out baseline: a post arrives over HTTP and is broadcast from
 * memory to the sockets of its thread. No auth, no store, no projections: the
 * floor our gateway is compared to. Same paths and frames as the real server,
 * so the same load processes drive both.
 *
 * With BASELINE_DB set, each post is first appended to that file with group
 * commit (groupCommit.ts) and broadcast only once durable, as ours is: the
 * same floor plus the cost of an fsync before delivery.
 */
const log = process.env.BASELINE_DB ? groupCommitLog(process.env.BASELINE_DB) : null;
const rooms = new Map<string, Set<WebSocket>>();
const seqs = new Map<string, number>();
const sockets = new WebSocketServer({ noServer: true });
const SOCKET_PATH = /^\/ws\/chat\/([^/?]+)\/?(\?|$)/;
const author = { id: 'baseline', username: 'baseline', email: 'baseline@bench.invalid' };

const server = createServer((req, res) => {
  if (req.method === 'GET' && req.url === '/healthz') return void res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
  if (req.method !== 'POST' || !req.url?.startsWith('/api/chat/messages')) return void res.writeHead(404).end();
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const { thread, content } = JSON.parse(Buffer.concat(chunks).toString()) as { thread: string; content: string };
    const seq = (seqs.get(thread) ?? 0) + 1;
    seqs.set(thread, seq);
    const payload = { id: randomUUID(), thread, author, content, created_at: new Date().toISOString(), seq };
    const deliver = () => {
      const frame = JSON.stringify({ type: 'chat_message', payload });
      for (const ws of rooms.get(thread) ?? []) ws.send(frame);
      res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(payload));
    };
    if (log) void log.append(thread, content, payload.created_at).then(deliver);
    else deliver();
  });
});

server.on('upgrade', (req, socket, head) => {
  const match = SOCKET_PATH.exec(req.url ?? '');
  if (!match) return socket.destroy();
  const thread = decodeURIComponent(match[1]!);
  sockets.handleUpgrade(req, socket, head, (ws) => {
    const room = rooms.get(thread) ?? new Set<WebSocket>();
    rooms.set(thread, room);
    room.add(ws);
    ws.on('close', () => room.delete(ws));
    ws.send(JSON.stringify({ type: 'ready', payload: { last_seq: seqs.get(thread) ?? 0 } }));
  });
});

// The poster keeps its connections across the segments of a run, with pauses of a few seconds while the
// other servers are measured: as long as fastify's 72 s, so that the baseline never closes one under it.
server.keepAliveTimeout = 72_000;
server.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1');
process.on('SIGTERM', () => {
  log?.close();
  process.exit(0);
});
