import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { AggregateLoader } from '../commands/aggregates.js';
import type { CommandDeps } from '../commands/handleCommand.js';
import type { RegisteredUser } from '../commands/users.js';
import type { Config } from '../config.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { CLOSE, encodeFrame, MAX_PAYLOAD_BYTES, type PresenceUser } from './frames.js';
import { admit, chooseProtocol, originAllowed, refuseUpgrade, upgradeTarget, type Admission, type UpgradeTarget } from './handshake.js';
import { rateLimit } from '../limits/rateLimit.js';
import { Liveness } from './liveness.js';
import { Presence, type PresenceChange } from './presence.js';
import { Session, type SessionDeps } from './session.js';
import { ThreadStreams } from './threadStreams.js';
import { UserDirectory } from './userDirectory.js';

export interface GatewayOptions {
  config: Config;
  store: EventStore;
  commands: CommandDeps & { aggregates: AggregateLoader };
  userForToken(token: string | null): Promise<RegisteredUser | null>;
  log: SessionDeps['log'];
}

/** Sockets get this long to finish their closing handshake at shutdown before they are cut. */
const SHUTDOWN_GRACE_MS = 1000;

/**
 * The node's WebSocket gateway: admits sockets on `/ws/chat/{threadId}/`,
 * runs one Session per socket, and shares per-thread streams, presence and
 * limits between them. It holds nothing another node needs: fan-out comes
 * from the store.
 */
export class Gateway {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: MAX_PAYLOAD_BYTES, handleProtocols: chooseProtocol });
  private readonly sessions = new Map<string, Set<Session>>();
  private readonly presence: Presence;
  private readonly liveness: Liveness;
  private readonly sessionDeps: SessionDeps;
  private nextSocketId = 0;
  private closing = false;

  constructor(private readonly options: GatewayOptions) {
    const { config, store, commands, log } = options;
    const gateway = config.gateway;
    const users = new UserDirectory(commands);
    this.presence = new Presence(store, { heartbeatMs: gateway.presenceHeartbeatMs, ttlMs: gateway.presenceTtlMs }, (c) => this.presenceChanged(c), log);
    this.liveness = new Liveness({ pingIntervalMs: gateway.pingIntervalMs, idleTimeoutMs: gateway.idleTimeoutMs });
    this.sessionDeps = {
      store,
      users,
      streams: new ThreadStreams(store, users, gateway.typingTimeoutMs),
      presence: this.presence,
      typingLimit: rateLimit({ name: 'typing', perSecond: config.rateLimits.typingPerSecond }),
      typingTimeoutMs: gateway.typingTimeoutMs,
      maxBufferedBytes: gateway.maxBufferedBytes,
      log,
    };
  }

  start(): void {
    this.presence.start();
    this.liveness.start();
  }

  /** Everyone online in the thread, on any node. */
  presenceOf(threadId: string): PresenceUser[] {
    return this.presence.usersIn(threadId);
  }

  /** The http server's `upgrade` listener. */
  readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    // Until ws takes the socket over, a reset by the client must not become an uncaught error.
    socket.on('error', () => socket.destroy());
    const target = upgradeTarget(req);
    if (!target) return refuseUpgrade(socket, 404);
    if (this.closing) return refuseUpgrade(socket, 503);
    if (!originAllowed(req, this.options.config.allowedOrigins)) return refuseUpgrade(socket, 403);
    void this.accept(req, socket, head, target);
  };

  /**
   * Decides before upgrading, but answers refusals as close codes after it:
   * a browser sees a close code, never the status of a refused handshake.
   */
  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer, target: UpgradeTarget): Promise<void> {
    let admission: Admission;
    try {
      admission = await admit(target, { userForToken: this.options.userForToken, aggregates: this.options.commands.aggregates });
    } catch (error) {
      this.options.log.error({ err: error }, 'socket admission failed');
      admission = { admitted: false, code: CLOSE.internalError, reason: 'internal error' };
    }
    if (this.closing) return refuseUpgrade(socket, 503);
    this.wss.handleUpgrade(req, socket, head, (ws) => {
      // Protocol violations by the client (oversized or malformed frames) end up here; ws closes the socket itself.
      // Without a listener they would be thrown, and client input must never crash the process.
      ws.on('error', (error) => this.options.log.debug({ err: error }, 'socket error'));
      if (!admission.admitted) return ws.close(admission.code, admission.reason);
      this.open(ws, admission);
    });
  }

  private open(ws: WebSocket, admission: Extract<Admission, { admitted: true }>): void {
    const { user, thread, revision, afterSeq } = admission;
    this.liveness.watch(ws);
    const session = new Session(
      ws,
      {
        id: String(++this.nextSocketId),
        user: { id: user.userId, username: user.username },
        threadId: thread.threadId,
        revision,
        afterSeq,
        isRedacted: (messageId) => thread.messages.get(messageId)?.redacted ?? false,
      },
      this.sessionDeps,
      (ended) => this.forget(ended),
    );
    const sessions = this.sessions.get(thread.threadId) ?? new Set<Session>();
    this.sessions.set(thread.threadId, sessions.add(session));
    session.open();
  }

  private forget(session: Session): void {
    const sessions = this.sessions.get(session.threadId);
    sessions?.delete(session);
    if (sessions?.size === 0) this.sessions.delete(session.threadId);
  }

  private presenceChanged({ threadId, user, online }: PresenceChange): void {
    const sessions = this.sessions.get(threadId);
    if (!sessions) return;
    const frame = encodeFrame(online ? { type: 'presence_joined', payload: { user } } : { type: 'presence_left', payload: { user } });
    for (const session of sessions) session.presenceChanged(frame);
  }

  /** Graceful shutdown: refuse new sockets, close open ones with 1001, cut those that do not answer. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.liveness.stop();
    for (const sessions of [...this.sessions.values()]) for (const session of [...sessions]) session.close(CLOSE.goingAway, 'server shutting down');
    const clients = [...this.wss.clients];
    for (const ws of clients) if (ws.readyState === ws.OPEN) ws.close(CLOSE.goingAway, 'server shutting down');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(clients.map((ws) => (ws.readyState === ws.CLOSED ? null : new Promise((resolve) => ws.once('close', resolve))))),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS))),
    ]);
    clearTimeout(timer);
    for (const ws of this.wss.clients) ws.terminate();
    await this.presence.stop();
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
  }
}
