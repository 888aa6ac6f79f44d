// ChatConnection against a real WebSocket server on 127.0.0.1 (the `ws`
// package on both ends), with short heartbeat and backoff settings.
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { WebSocket, WebSocketServer } from 'ws';
import { ChatConnection, type ConnectionState, type OpenSocket } from '../../web/src/chat/chatConnection.js';
import type { ServerFrame } from '../../web/src/chat/protocol.js';

const openWsSocket: OpenSocket = (url, events) => {
  const socket = new WebSocket(url);
  socket.on('open', () => events.onOpen());
  socket.on('message', (data, isBinary) => events.onMessage(isBinary ? data : data.toString()));
  socket.on('close', (code, reason) => events.onClose(code, reason.toString()));
  socket.on('error', () => {}); // a 'close' always follows
  return { send: (data) => socket.send(data), close: (code, reason) => socket.close(code, reason) };
};

interface Peer {
  socket: WebSocket;
  afterSeq: string | null;
  received: unknown[];
}

/** A chat-like server whose sockets the test drives; answers ping with pong unless told not to. */
class FakeChatServer {
  readonly peers: Peer[] = [];
  answerPings = true;
  private server: WebSocketServer;

  private constructor(server: WebSocketServer) {
    this.server = server;
    server.on('connection', (socket, request) => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const peer: Peer = { socket, afterSeq: url.searchParams.get('after_seq'), received: [] };
      this.peers.push(peer);
      socket.on('message', (data) => {
        const frame: unknown = JSON.parse(data.toString());
        peer.received.push(frame);
        if (this.answerPings && (frame as { type?: string }).type === 'ping') socket.send('{"type":"pong"}');
      });
    });
  }

  static async start(port = 0): Promise<FakeChatServer> {
    const server = new WebSocketServer({ host: '127.0.0.1', port });
    await new Promise<void>((resolve) => server.once('listening', () => resolve()));
    return new FakeChatServer(server);
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  peer(index: number): Peer {
    const peer = this.peers[index];
    if (!peer) throw new Error(`no connection #${index} yet`);
    return peer;
  }

  async stop(): Promise<void> {
    for (const client of this.server.clients) client.terminate();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

const chatMessage = (seq: number) =>
  JSON.stringify({
    type: 'chat_message',
    payload: { id: `m${seq}`, thread: 't1', author: { id: 'u1', username: 'alice', email: 'a@x.io' }, content: `#${seq}`, created_at: new Date().toISOString(), seq },
  });

const cleanup: Array<() => unknown> = [];
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});

function connect(port: number, options: { initialSeq?: number | null; pongTimeoutMs?: number; heartbeatMs?: number } = {}) {
  const frames: ServerFrame[] = [];
  const states: ConnectionState[] = [];
  const connection = new ChatConnection({
    url: (afterSeq) => `ws://127.0.0.1:${port}/ws/chat/t1/?token=x${afterSeq === null ? '' : `&after_seq=${afterSeq}`}`,
    openSocket: openWsSocket,
    onFrame: (frame) => frames.push(frame),
    onState: (state) => states.push(state),
    initialSeq: options.initialSeq ?? null,
    heartbeatMs: options.heartbeatMs ?? 60_000,
    pongTimeoutMs: options.pongTimeoutMs ?? 60_000,
    backoff: { baseMs: 20, maxMs: 80 },
  });
  cleanup.push(() => connection.stop());
  connection.start();
  return { connection, frames, states };
}

const chatSeqs = (frames: ServerFrame[]) => frames.flatMap((f) => (f.type === 'chat_message' ? [f.payload.seq] : []));

describe('ChatConnection', () => {
  it('resumes after the history shown and pings as soon as it is open', async () => {
    const server = await FakeChatServer.start();
    cleanup.push(() => server.stop());
    const { connection } = connect(server.port, { initialSeq: 41 });
    await vi.waitFor(() => expect(server.peer(0).received).toContainEqual({ type: 'ping' }));
    expect(server.peer(0).afterSeq).toBe('41');
    await vi.waitFor(() => expect(connection.current.lastPongAt).not.toBeNull());
    expect(connection.current.status).toBe('connected');
  });

  it('delivers each chat seq once and never one already shown, but still delivers redactions of old messages', async () => {
    const server = await FakeChatServer.start();
    cleanup.push(() => server.stop());
    const { frames } = connect(server.port, { initialSeq: 5 });
    await vi.waitFor(() => expect(server.peers).toHaveLength(1));
    const { socket } = server.peer(0);
    for (const seq of [4, 5, 6, 6, 7]) socket.send(chatMessage(seq));
    socket.send(JSON.stringify({ type: 'message_redacted', payload: { id: 'm3', thread: 't1', seq: 3 } }));
    socket.send('{"type":"nonsense"}');
    socket.send('{"type":"ready","payload":{"last_seq":7}}');
    await vi.waitFor(() => expect(frames.at(-1)?.type).toBe('ready'));
    expect(chatSeqs(frames)).toEqual([6, 7]);
    expect(frames.map((f) => f.type).filter((type) => type !== 'pong')).toEqual(['chat_message', 'chat_message', 'message_redacted', 'ready']);
  });

  it('reconnects after the server goes away and resumes after the last seq it saw', async () => {
    const server = await FakeChatServer.start();
    cleanup.push(() => server.stop());
    const { frames, states } = connect(server.port, { initialSeq: 2 });
    await vi.waitFor(() => expect(server.peers).toHaveLength(1));
    server.peer(0).socket.send(chatMessage(3));
    server.peer(0).socket.send(chatMessage(4));
    await vi.waitFor(() => expect(chatSeqs(frames)).toEqual([3, 4]));
    server.peer(0).socket.close(1001, 'going away');
    await vi.waitFor(() => expect(server.peers).toHaveLength(2));
    expect(server.peer(1).afterSeq).toBe('4');
    expect(states.map((s) => s.status)).toContain('reconnecting');
    // The catch-up overlaps what was seen: only the new message comes through.
    server.peer(1).socket.send(chatMessage(4));
    server.peer(1).socket.send(chatMessage(5));
    await vi.waitFor(() => expect(chatSeqs(frames)).toEqual([3, 4, 5]));
  });

  it('stops for good on 4401, 4403 and 4404 and says why', async () => {
    const server = await FakeChatServer.start();
    cleanup.push(() => server.stop());
    for (const [code, why] of [
      [4401, 'unauthorized'],
      [4403, 'forbidden'],
      [4404, 'not_found'],
    ] as const) {
      const before = server.peers.length;
      const { connection } = connect(server.port);
      await vi.waitFor(() => expect(server.peers).toHaveLength(before + 1));
      server.peer(before).socket.close(code, why);
      await vi.waitFor(() => expect(connection.current).toMatchObject({ status: 'closed', closed: why }));
    }
    // Give a wrongly scheduled reconnect the time to show up: none does.
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(server.peers).toHaveLength(3);
  });

  it('goes offline after five failed attempts and comes back on retry', async () => {
    const server = await FakeChatServer.start();
    const port = server.port;
    await server.stop();
    const { connection, states } = connect(port);
    await vi.waitFor(() => expect(connection.current.status).toBe('offline'), { timeout: 5000 });
    expect(states.filter((s) => s.status === 'reconnecting').map((s) => s.attempt)).toEqual(expect.arrayContaining([1, 2, 3, 4, 5]));
    expect(Math.max(...states.map((s) => s.attempt))).toBe(5);

    const restarted = await FakeChatServer.start(port);
    cleanup.push(() => restarted.stop());
    connection.retry();
    await vi.waitFor(() => expect(connection.current.status).toBe('connected'), { timeout: 5000 });
    expect(connection.current.attempt).toBe(0);
    expect(restarted.peers).toHaveLength(1);
  });

  it('drops a connection whose pongs stopped and opens a new one', async () => {
    const server = await FakeChatServer.start();
    cleanup.push(() => server.stop());
    server.answerPings = false;
    connect(server.port, { heartbeatMs: 40, pongTimeoutMs: 150 });
    await vi.waitFor(() => expect(server.peers.length).toBeGreaterThanOrEqual(2), { timeout: 3000 });
    const pings = server.peer(0).received.filter((f) => (f as { type: string }).type === 'ping');
    expect(pings.length).toBeGreaterThanOrEqual(2);
    await vi.waitFor(() => expect(server.peer(0).socket.readyState).toBe(WebSocket.CLOSED));
  });

  it('sends typing frames only while open', async () => {
    const server = await FakeChatServer.start();
    cleanup.push(() => server.stop());
    const { connection } = connect(server.port);
    expect(connection.send({ type: 'typing', is_typing: true })).toBe(false);
    await vi.waitFor(() => expect(connection.current.status).toBe('connected'));
    expect(connection.send({ type: 'typing', is_typing: true })).toBe(true);
    await vi.waitFor(() => expect(server.peer(0).received).toContainEqual({ type: 'typing', is_typing: true }));
  });
});
