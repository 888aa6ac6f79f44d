// One thread's live connection, without React and without the DOM: heartbeat,
// reconnection with exponential backoff, resume with after_seq, de-duplication
// by seq. The socket itself comes in through `openSocket`, so the browser hook
// passes a WebSocket and tests pass a `ws` client against a real server.

import {
  backoffDelay,
  CLOSE_HEARTBEAT_TIMEOUT,
  closeOutcome,
  DEFAULT_BACKOFF,
  parseServerFrame,
  type BackoffOptions,
  type ClientFrame,
  type FinalClose,
  type ServerFrame,
} from './protocol.js';

export interface SocketHandle {
  send(data: string): void;
  close(code?: number, reason?: string): void;
}

export interface SocketEvents {
  onOpen(): void;
  onMessage(data: unknown): void;
  onClose(code: number, reason: string): void;
}

export type OpenSocket = (url: string, events: SocketEvents) => SocketHandle;

export type ConnectionStatus = 'connecting' | 'connected' | 'reconnecting' | 'offline' | 'closed';

export interface ConnectionState {
  status: ConnectionStatus;
  /** Reconnect attempt in progress or last made (0 while healthy). */
  attempt: number;
  maxAttempts: number;
  /** Why the connection ended for good, when status is 'closed'. */
  closed: FinalClose | null;
  /** Highest thread seq seen; the next connection resumes after it. */
  lastSeq: number | null;
  lastPongAt: number | null;
}

export interface ChatConnectionOptions {
  /** Builds the socket URL for a connection resuming after `afterSeq` (null: start live). */
  url: (afterSeq: number | null) => string;
  openSocket: OpenSocket;
  onFrame: (frame: ServerFrame) => void;
  onState?: (state: ConnectionState) => void;
  /** Seq of the newest message already shown (from REST history), so the first connection resumes after it. */
  initialSeq?: number | null;
  heartbeatMs?: number;
  pongTimeoutMs?: number;
  maxAttempts?: number;
  backoff?: BackoffOptions;
  random?: () => number;
}

type Timer = ReturnType<typeof setTimeout>;

export const HEARTBEAT_MS = 30_000;
export const PONG_TIMEOUT_MS = 60_000;
export const MAX_RECONNECT_ATTEMPTS = 5;

export class ChatConnection {
  private readonly options: ChatConnectionOptions;
  private state: ConnectionState;
  private socket: SocketHandle | null = null;
  private socketOpen = false;
  /** Bumped for every socket; events from an older socket are ignored. */
  private generation = 0;
  private heartbeat: ReturnType<typeof setInterval> | null = null;
  private pongDeadline: Timer | null = null;
  private reconnectTimer: Timer | null = null;
  private receivedOnThisSocket = false;

  constructor(options: ChatConnectionOptions) {
    this.options = options;
    this.state = {
      status: 'connecting',
      attempt: 0,
      maxAttempts: options.maxAttempts ?? MAX_RECONNECT_ATTEMPTS,
      closed: null,
      lastSeq: options.initialSeq ?? null,
      lastPongAt: null,
    };
  }

  get current(): ConnectionState {
    return this.state;
  }

  start(): void {
    this.connect();
  }

  /** Starts over now with a fresh attempt budget (the "Retry" button, or the browser coming back online). */
  retry(): void {
    this.dropSocket();
    this.clearReconnect();
    this.update({ attempt: 0, closed: null });
    this.connect();
  }

  stop(): void {
    this.dropSocket();
    this.clearReconnect();
    this.update({ status: 'closed', closed: 'normal' });
  }

  /** Sends a frame if the socket is open; returns whether it was sent. */
  send(frame: ClientFrame): boolean {
    if (!this.socket || !this.socketOpen) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }

  private connect(): void {
    const generation = ++this.generation;
    this.socketOpen = false;
    this.receivedOnThisSocket = false;
    this.update({ status: this.state.attempt === 0 ? 'connecting' : 'reconnecting' });
    this.socket = this.options.openSocket(this.options.url(this.state.lastSeq), {
      onOpen: () => generation === this.generation && this.opened(),
      onMessage: (data) => generation === this.generation && this.received(data),
      onClose: (code) => generation === this.generation && this.closed(code),
    });
  }

  private opened(): void {
    this.socketOpen = true;
    this.update({ status: 'connected', lastPongAt: Date.now() });
    // One ping right away (shows the link is alive end to end), then one per interval.
    this.send({ type: 'ping' });
    this.heartbeat = setInterval(() => this.send({ type: 'ping' }), this.options.heartbeatMs ?? HEARTBEAT_MS);
    this.armPongDeadline();
  }

  private received(data: unknown): void {
    const frame = parseServerFrame(data);
    if (!frame) return;
    if (!this.receivedOnThisSocket) {
      // The server talks to us: this link is healthy, so the attempt budget starts over.
      this.receivedOnThisSocket = true;
      if (this.state.attempt !== 0) this.update({ attempt: 0 });
    }
    switch (frame.type) {
      case 'pong':
        this.update({ lastPongAt: Date.now() });
        this.armPongDeadline();
        break;
      case 'chat_message': {
        const { lastSeq } = this.state;
        // A resume may overlap what was already shown: a seq seen once is never delivered twice.
        if (lastSeq !== null && frame.payload.seq <= lastSeq) return;
        this.update({ lastSeq: frame.payload.seq });
        break;
      }
      case 'ready':
        // Everything up to last_seq has been delivered by the catch-up.
        if (frame.payload.last_seq !== null && (this.state.lastSeq === null || frame.payload.last_seq > this.state.lastSeq)) {
          this.update({ lastSeq: frame.payload.last_seq });
        }
        break;
      default:
        break;
    }
    this.options.onFrame(frame);
  }

  private closed(code: number): void {
    this.dropSocket(code === CLOSE_HEARTBEAT_TIMEOUT ? code : 1000);
    const outcome = closeOutcome(code);
    if (outcome) {
      this.update({ status: 'closed', closed: outcome });
      return;
    }
    const attempt = this.state.attempt + 1;
    if (attempt > this.state.maxAttempts) {
      this.update({ status: 'offline' });
      return;
    }
    this.update({ status: 'reconnecting', attempt });
    const delay = backoffDelay(attempt, this.options.backoff ?? DEFAULT_BACKOFF, this.options.random);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect();
    }, delay);
  }

  private armPongDeadline(): void {
    if (this.pongDeadline) clearTimeout(this.pongDeadline);
    // No pong for too long: the link is dead even if the socket has not noticed.
    this.pongDeadline = setTimeout(() => this.closed(CLOSE_HEARTBEAT_TIMEOUT), this.options.pongTimeoutMs ?? PONG_TIMEOUT_MS);
  }

  /** Forgets the current socket (its late events are ignored) and stops its timers. */
  private dropSocket(code = 1000): void {
    this.generation++;
    if (this.heartbeat) clearInterval(this.heartbeat);
    if (this.pongDeadline) clearTimeout(this.pongDeadline);
    this.heartbeat = null;
    this.pongDeadline = null;
    const socket = this.socket;
    this.socket = null;
    if (socket && this.socketOpen) socket.close(code, code === CLOSE_HEARTBEAT_TIMEOUT ? 'no pong' : 'client closing');
    else socket?.close();
    this.socketOpen = false;
  }

  private clearReconnect(): void {
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    this.reconnectTimer = null;
  }

  private update(patch: Partial<ConnectionState>): void {
    this.state = { ...this.state, ...patch };
    this.options.onState?.(this.state);
  }
}
