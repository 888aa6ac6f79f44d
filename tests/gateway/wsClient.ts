import WebSocket, { type ClientOptions } from 'ws';

/** A server frame as the tests read it. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read arbitrary JSON payloads
export type Frame = { type: string; payload?: any };

export interface Closed {
  code: number;
  reason: string;
}

export type TokenCarrier = 'query' | 'protocol' | 'header';

export interface ConnectOptions {
  token?: string;
  via?: TokenCarrier;
  afterSeq?: number | string;
  origin?: string;
  /** Answer protocol-level pings (true by default, as every real client does). */
  autoPong?: boolean;
}

const DEFAULT_WAIT_MS = 10_000;

/** A real `ws` client that records every frame and the close, with wait-for helpers. */
export class TestSocket {
  readonly frames: Frame[] = [];
  readonly ws: WebSocket;
  readonly opened: Promise<void>;
  readonly closed: Promise<Closed>;
  private readonly listeners = new Set<() => void>();
  /** Set when the handshake was refused with an HTTP status instead of a socket. */
  httpStatus: number | null = null;

  constructor(url: string, protocols: string[], options: ClientOptions) {
    this.ws = new WebSocket(url, protocols, options);
    this.ws.on('message', (data) => {
      this.frames.push(JSON.parse(data.toString()) as Frame);
      for (const listener of this.listeners) listener();
    });
    this.ws.on('unexpected-response', (_req, res) => {
      this.httpStatus = res.statusCode ?? null;
      this.ws.terminate();
    });
    this.ws.on('error', () => undefined);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('close', () => reject(new Error('closed before opening')));
    });
    this.opened.catch(() => undefined);
    this.closed = new Promise((resolve) => this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })));
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  ofType(type: string): Frame[] {
    return this.frames.filter((f) => f.type === type);
  }

  /** The first recorded frame (from index `from`) that matches, waiting for it if needed. */
  waitFor(match: (frame: Frame) => boolean, options: { from?: number; timeoutMs?: number } = {}): Promise<Frame> {
    const from = options.from ?? 0;
    return this.until(() => this.frames.slice(from).find(match), options.timeoutMs, 'a matching frame');
  }

  waitForType(type: string, options: { from?: number; timeoutMs?: number } = {}): Promise<Frame> {
    return this.waitFor((f) => f.type === type, options);
  }

  /** Resolves once `check` returns something other than undefined, re-checking on every frame. */
  until<T>(check: () => T | undefined, timeoutMs = DEFAULT_WAIT_MS, what = 'a condition'): Promise<T> {
    return new Promise((resolve, reject) => {
      const attempt = () => {
        const value = check();
        if (value === undefined) return;
        cleanup();
        resolve(value);
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out waiting for ${what}; frames: ${JSON.stringify(this.frames.map((f) => f.type))}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        this.listeners.delete(attempt);
      };
      this.listeners.add(attempt);
      attempt();
    });
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING) this.ws.terminate();
  }
}

/** Opens a socket on `/ws/chat/{threadId}/` of the server at `baseUrl` (http://…). */
export function connect(baseUrl: string, threadId: string, options: ConnectOptions = {}): TestSocket {
  const url = new URL(`/ws/chat/${encodeURIComponent(threadId)}/`, baseUrl.replace(/^http/, 'ws'));
  const via = options.via ?? 'query';
  if (options.token && via === 'query') url.searchParams.set('token', options.token);
  if (options.afterSeq !== undefined) url.searchParams.set('after_seq', String(options.afterSeq));
  const protocols = options.token && via === 'protocol' ? ['bearer', options.token] : [];
  const headers: Record<string, string> = options.token && via === 'header' ? { authorization: `Bearer ${options.token}` } : {};
  return new TestSocket(url.toString(), protocols, {
    headers,
    ...(options.origin ? { origin: options.origin } : {}),
    autoPong: options.autoPong ?? true,
  });
}

/** Connects and waits for `ready`: the socket is caught up and live. */
export async function connectReady(baseUrl: string, threadId: string, options: ConnectOptions = {}): Promise<TestSocket> {
  const socket = connect(baseUrl, threadId, options);
  await socket.waitForType('ready');
  return socket;
}

/** Polls `check` until it returns something other than undefined (for state outside a socket). */
export async function eventually<T>(check: () => Promise<T | undefined> | T | undefined, timeoutMs = DEFAULT_WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
