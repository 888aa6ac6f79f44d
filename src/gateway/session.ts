import type { Subscription } from 'rxjs';
import type { RawData, WebSocket } from 'ws';
import { threadStream } from '../domain/thread.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { CLOSE, encodeFrame, errorFrame, parseClientFrame, PONG, type EncodedFrame, type PresenceUser } from './frames.js';
import type { RateLimit } from '../limits/rateLimit.js';
import { FloodGuard } from './limits.js';
import type { Presence } from './presence.js';
import { logItemFor, type LogItem } from './threadEvents.js';
import type { ThreadItem, ThreadStreams } from './threadStreams.js';
import { publishTyping } from './typing.js';
import type { UserDirectory } from './userDirectory.js';

/** Node-wide collaborators every session uses. */
export interface SessionDeps {
  store: EventStore;
  streams: ThreadStreams;
  users: UserDirectory;
  presence: Presence;
  typingLimit: RateLimit;
  typingTimeoutMs: number;
  maxBufferedBytes: number;
  log: { debug(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

export interface SocketContext {
  id: string;
  user: PresenceUser;
  threadId: string;
  /** Stream revision the membership check read: membership events after it concern this socket. */
  revision: number;
  /** Resume point; null starts live. */
  afterSeq: number | null;
  isRedacted(messageId: string): boolean;
}

const CATCH_UP_PAGE = 200;
/** Live items held back while a catch-up is delivered; a socket further behind is closed 1013. */
const MAX_PENDING = 10_000;
const DRAIN_POLL_MS = 20;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One socket in one thread: catch-up then live from the thread's shared
 * stream, with no gap and no duplicate (every log item carries its stream
 * revision, and `cursor` is the last one this socket has passed); client
 * frames; typing; and the end of it all.
 */
export class Session {
  /** Last stream revision delivered (or skipped as invisible) to this socket. */
  private cursor: number;
  private catchingUp = true;
  private pending: LogItem[] = [];
  private presenceSent = false;
  /** Until when this socket's last "typing" holds; it is turned off if the socket closes before. */
  private typingUntil = 0;
  private subscription: Subscription | undefined;
  private ended = false;
  private readonly typingGuard: FloodGuard;

  constructor(
    private readonly ws: WebSocket,
    readonly context: SocketContext,
    private readonly deps: SessionDeps,
    private readonly onEnd: (session: Session) => void,
  ) {
    this.cursor = context.afterSeq === null ? context.revision : Math.min(context.afterSeq, context.revision);
    this.typingGuard = new FloodGuard(deps.typingLimit, context.id);
  }

  get threadId(): string {
    return this.context.threadId;
  }

  open(): void {
    const { ws, deps, context } = this;
    ws.on('message', (data, isBinary) => this.receive(data, isBinary).catch((error: unknown) => this.fail(error)));
    ws.once('close', () => this.end());
    deps.presence.connect(context.threadId, context.user);
    // Follow first, then read: whatever is appended during the catch-up waits in `pending`.
    this.subscription = deps.streams.live(context.threadId, context.revision).subscribe({
      next: (item) => this.onItem(item),
      error: (error: unknown) => this.fail(error),
      complete: () => this.close(CLOSE.goingAway, 'stream ended'),
    });
    this.catchUp().catch((error: unknown) => this.fail(error));
  }

  /** Sends a presence change, once this socket has had its initial presence list. */
  presenceChanged(frame: EncodedFrame): void {
    if (this.presenceSent) this.send(frame);
  }

  close(code: number, reason: string): void {
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(code, reason);
    this.end();
  }

  private async catchUp(): Promise<void> {
    const { store, users } = this.deps;
    for (;;) {
      const events = await store.readStream(threadStream(this.threadId), { fromRevision: this.cursor + 1, maxCount: CATCH_UP_PAGE });
      for (const event of events) {
        const item = await logItemFor(event, users, this.context.isRedacted);
        if (this.ended) return;
        if (item) this.deliver(item);
        else this.cursor = Math.max(this.cursor, event.revision);
        // A long history goes out at the pace the client reads it.
        while (!this.ended && this.ws.bufferedAmount > this.deps.maxBufferedBytes / 2) await sleep(DRAIN_POLL_MS);
      }
      if (this.ended || events.length < CATCH_UP_PAGE) break;
      // Other sockets get their turn between pages of a long history.
      await new Promise((resolve) => setImmediate(resolve));
    }
    if (this.ended) return;
    this.catchingUp = false;
    for (const item of this.pending.splice(0)) this.deliver(item);
    this.send(encodeFrame({ type: 'ready', payload: { last_seq: this.cursor } }));
    this.send(encodeFrame({ type: 'presence', payload: { users: this.deps.presence.usersIn(this.threadId) } }));
    this.presenceSent = true;
  }

  private onItem(item: ThreadItem): void {
    if (item.kind === 'typing') {
      // Typing is for the others: never echoed to the typist's own sockets.
      if (item.userId !== this.context.user.id) this.send(item.frame);
      return;
    }
    if (!this.catchingUp) return this.deliver(item);
    this.pending.push(item);
    if (this.pending.length > MAX_PENDING) this.close(CLOSE.overloaded, 'too far behind');
  }

  private deliver(item: LogItem): void {
    if (item.revision <= this.cursor || this.ended) return;
    this.cursor = item.revision;
    this.send(item.frame);
    // History is history: only what happened after admission ends this socket.
    if (item.ends?.userId === this.context.user.id && item.revision > this.context.revision) this.close(item.ends.code, item.ends.reason);
  }

  private send(frame: EncodedFrame): void {
    if (this.ended || this.ws.readyState !== this.ws.OPEN) return;
    this.ws.send(frame, { binary: false });
    if (this.ws.bufferedAmount > this.deps.maxBufferedBytes) this.close(CLOSE.overloaded, 'slow consumer');
  }

  private async receive(data: RawData, isBinary: boolean): Promise<void> {
    const frame = parseClientFrame(data, isBinary);
    if (frame.type === 'ping') return this.send(PONG);
    if (frame.type === 'invalid') return this.send(errorFrame('bad_frame', frame.message));
    const verdict = await this.typingGuard.check();
    if (verdict.action === 'warn') {
      return this.send(errorFrame('rate_limited', 'too many typing frames; slow down', verdict.retryAfterMs));
    }
    if (verdict.action === 'close') return this.close(CLOSE.policy, 'rate limit exceeded');
    if (verdict.action === 'drop' || this.ended) return;
    this.typingUntil = frame.isTyping ? Date.now() + this.deps.typingTimeoutMs : 0;
    this.publishTyping(frame.isTyping);
  }

  private publishTyping(isTyping: boolean): void {
    publishTyping(this.deps.store, this.threadId, { userId: this.context.user.id, isTyping }).catch((error: unknown) =>
      this.deps.log.warn({ err: error }, 'typing signal not published'),
    );
  }

  private fail(error: unknown): void {
    if (this.ended) return;
    this.deps.log.error({ err: error, thread: this.threadId }, 'socket stream failed');
    this.close(CLOSE.internalError, 'internal error; reconnect with after_seq');
  }

  /** Idempotent: the first of close(), the socket's 'close' event or a failure tears everything down. */
  private end(): void {
    if (this.ended) return;
    this.ended = true;
    this.subscription?.unsubscribe();
    this.pending = [];
    this.deps.presence.disconnect(this.threadId, this.context.user.id);
    // A socket that closes mid-typing stops typing for everyone else.
    if (this.typingUntil > Date.now()) this.publishTyping(false);
    this.onEnd(this);
  }
}
