import { randomUUID } from 'node:crypto';
import type { Subscription } from 'rxjs';
import type { EventStore } from '../eventstore/eventStore.js';
import type { PresenceUser } from './frames.js';

/** One channel for the whole cluster: every node knows every thread's presence, so any node answers the REST query. */
export const PRESENCE_CHANNEL = 'gateway-presence';

type Users = Map<string, PresenceUser>;

type PresenceSignal =
  | { node: string; kind: 'join'; thread: string; user: PresenceUser }
  | { node: string; kind: 'leave'; thread: string; user: PresenceUser }
  /** Heartbeat: the node's whole local presence, which also repairs anything missed. */
  | { node: string; kind: 'state'; threads: Record<string, PresenceUser[]> }
  /** A node that starts asks the others for their state instead of waiting a heartbeat. */
  | { node: string; kind: 'hello' }
  | { node: string; kind: 'gone' };

export interface PresenceChange {
  threadId: string;
  user: PresenceUser;
  online: boolean;
}

interface Logger {
  warn(obj: object, msg: string): void;
}

/**
 * Who is online in which thread, across every node, without the log: each
 * node announces its own sockets' users on the store's ephemeral channel
 * (join/leave as they happen, its full state every heartbeat) and forgets a
 * node that has been silent for `ttlMs`. A node killed without a word thus
 * takes its users offline within ttlMs plus one heartbeat.
 */
export class Presence {
  readonly nodeId = randomUUID();
  /** This node's users per thread, with their socket counts (a user with two tabs is one presence). */
  private readonly local = new Map<string, Map<string, { user: PresenceUser; sockets: number }>>();
  private readonly remote = new Map<string, { lastSeen: number; threads: Map<string, Users> }>();
  private subscription: Subscription | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(
    private readonly store: EventStore,
    private readonly options: { heartbeatMs: number; ttlMs: number },
    private readonly onChange: (change: PresenceChange) => void,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.subscription) return;
    this.subscription = this.store.ephemeral(PRESENCE_CHANNEL).subscribe({
      next: (signal) => this.receive(signal.payload as PresenceSignal),
      error: (error: unknown) => this.log.warn({ err: error }, 'presence channel failed'),
    });
    this.publish({ node: this.nodeId, kind: 'hello' });
    this.heartbeat = setInterval(() => {
      this.publishState();
      this.expireSilentNodes();
    }, this.options.heartbeatMs);
    this.heartbeat.unref();
  }

  /** Tells the other nodes this one's users are gone, then stops listening. */
  async stop(): Promise<void> {
    if (!this.subscription) return;
    clearInterval(this.heartbeat);
    this.subscription.unsubscribe();
    this.subscription = undefined;
    await this.publish({ node: this.nodeId, kind: 'gone' });
  }

  /** A socket of `user` opened in the thread on this node. */
  connect(threadId: string, user: PresenceUser): void {
    const users = this.local.get(threadId) ?? new Map<string, { user: PresenceUser; sockets: number }>();
    this.local.set(threadId, users);
    const entry = users.get(user.id);
    if (entry) {
      entry.sockets++;
      return;
    }
    this.track([[threadId, user]], () => users.set(user.id, { user, sockets: 1 }));
    this.publish({ node: this.nodeId, kind: 'join', thread: threadId, user });
  }

  /** A socket of the user closed; the user leaves when it was their last one here. */
  disconnect(threadId: string, userId: string): void {
    const users = this.local.get(threadId);
    const entry = users?.get(userId);
    if (!users || !entry) return;
    if (--entry.sockets > 0) return;
    this.track([[threadId, entry.user]], () => {
      users.delete(userId);
      if (users.size === 0) this.local.delete(threadId);
    });
    this.publish({ node: this.nodeId, kind: 'leave', thread: threadId, user: entry.user });
  }

  /** Everyone online in the thread on any node, by username. */
  usersIn(threadId: string): PresenceUser[] {
    const users = new Map<string, PresenceUser>();
    for (const { user } of this.local.get(threadId)?.values() ?? []) users.set(user.id, user);
    for (const node of this.remote.values()) for (const user of node.threads.get(threadId)?.values() ?? []) users.set(user.id, user);
    return [...users.values()].sort((a, b) => a.username.localeCompare(b.username));
  }

  private isOnline(threadId: string, userId: string): boolean {
    if (this.local.get(threadId)?.has(userId)) return true;
    for (const node of this.remote.values()) if (node.threads.get(threadId)?.has(userId)) return true;
    return false;
  }

  /** Applies `change` and reports the (thread, user) pairs whose cluster-wide presence it flipped. */
  private track(pairs: Iterable<[string, PresenceUser]>, change: () => void): void {
    const before = [...pairs].map(([threadId, user]) => ({ threadId, user, online: this.isOnline(threadId, user.id) }));
    change();
    for (const { threadId, user, online } of before) {
      if (this.isOnline(threadId, user.id) !== online) this.onChange({ threadId, user, online: !online });
    }
  }

  private receive(signal: PresenceSignal): void {
    if (typeof signal?.node !== 'string' || signal.node === this.nodeId) return;
    if (signal.kind === 'hello') return this.publishState();
    if (signal.kind === 'gone') return this.replaceNode(signal.node, undefined);
    if (signal.kind === 'state') return this.replaceNode(signal.node, usersByThread(signal.threads));
    if ((signal.kind !== 'join' && signal.kind !== 'leave') || !isPresenceUser(signal.user) || typeof signal.thread !== 'string') return;
    const node = this.nodeEntry(signal.node);
    const { thread, user } = signal;
    this.track([[thread, user]], () => {
      const users = node.threads.get(thread) ?? new Map<string, PresenceUser>();
      node.threads.set(thread, users);
      if (signal.kind === 'join') users.set(user.id, user);
      else users.delete(user.id);
      if (users.size === 0) node.threads.delete(thread);
    });
  }

  private nodeEntry(nodeId: string) {
    const node = this.remote.get(nodeId) ?? { lastSeen: 0, threads: new Map<string, Users>() };
    node.lastSeen = Date.now();
    this.remote.set(nodeId, node);
    return node;
  }

  private replaceNode(nodeId: string, threads: Map<string, Users> | undefined): void {
    const previous = this.remote.get(nodeId)?.threads ?? new Map<string, Users>();
    const pairs: [string, PresenceUser][] = [];
    for (const source of [previous, threads ?? new Map<string, Users>()]) {
      for (const [threadId, users] of source) for (const user of users.values()) pairs.push([threadId, user]);
    }
    this.track(pairs, () => {
      if (threads) this.nodeEntry(nodeId).threads = threads;
      else this.remote.delete(nodeId);
    });
  }

  private expireSilentNodes(): void {
    const deadline = Date.now() - this.options.ttlMs;
    for (const [nodeId, node] of this.remote) if (node.lastSeen < deadline) this.replaceNode(nodeId, undefined);
  }

  private publishState(): void {
    const threads: Record<string, PresenceUser[]> = {};
    for (const [threadId, users] of this.local) threads[threadId] = [...users.values()].map(({ user }) => user);
    this.publish({ node: this.nodeId, kind: 'state', threads });
  }

  private publish(signal: PresenceSignal): Promise<void> {
    return this.store.publishEphemeral(PRESENCE_CHANNEL, signal).catch((error: unknown) => {
      this.log.warn({ err: error }, 'presence signal not published');
    });
  }
}

const isPresenceUser = (value: unknown): value is PresenceUser =>
  typeof (value as PresenceUser | null)?.id === 'string' && typeof (value as PresenceUser).username === 'string';

function usersByThread(threads: unknown): Map<string, Users> {
  const result = new Map<string, Users>();
  if (typeof threads !== 'object' || threads === null) return result;
  for (const [threadId, users] of Object.entries(threads)) {
    if (!Array.isArray(users)) continue;
    const valid = users.filter(isPresenceUser).map((u): [string, PresenceUser] => [u.id, { id: u.id, username: u.username }]);
    if (valid.length > 0) result.set(threadId, new Map(valid));
  }
  return result;
}
