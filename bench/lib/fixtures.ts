import { randomBytes, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { hashPassword } from '../../src/auth/passwords.js';
import { createTokenService } from '../../src/auth/tokens.js';
import { AggregateLoader } from '../../src/commands/aggregates.js';
import { createThread, joinThread } from '../../src/commands/threads.js';
import { SCHEMA_VERSION, type DomainEvent } from '../../src/domain/events.js';
import { assertValidEvent } from '../../src/domain/schemas.js';
import { threadStream } from '../../src/domain/thread.js';
import { userStream, usernameStream } from '../../src/domain/user.js';
import type { EventStore, EventToAppend } from '../../src/eventstore/eventStore.js';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { newId } from '../../src/ids.js';

/**
 * Bench data is written into DATA_DIR before the server starts: threads and
 * memberships through the command handlers (exactly what the API would have
 * written); users, and long histories, as plain appends of schema-checked
 * events, the same events the commands append (registering 5,000 users or
 * posting 200,000 messages one by one would take minutes). Tokens are minted
 * with the server's own token service and the JWT_SECRET it is given.
 */

export interface BenchUser {
  id: string;
  username: string;
  token: string;
}
export interface BenchThread {
  id: string;
  /** Indexes into `users`. */
  members: number[];
}
export interface ChatFixture {
  jwtSecret: string;
  users: BenchUser[];
  threads: BenchThread[];
}

/** The bench users' one password hash uses scrypt at N=2^10 (the server's default is 2^17): cheap, and never on a measured path. */
const BENCH_SCRYPT_LOG_N = 10;
const PASSWORD = 'bench-password-123';

export const newJwtSecret = () => randomBytes(48).toString('base64url');

const openEvents = (dataDir: string) => openSqliteEventStore({ file: join(dataDir, 'events.db') });

/** Runs `task` over `items` with at most `limit` in flight. */
export async function forEachLimit<T>(items: readonly T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

/**
 * `users` users and `threads` public threads; thread t's members are the
 * `membersPerThread` users from index t * membersPerThread (wrapping), the first
 * of them its owner.
 */
export async function seedChat(
  dataDir: string,
  options: { users: number; threads: number; membersPerThread: number },
): Promise<ChatFixture> {
  const jwtSecret = newJwtSecret();
  const tokens = createTokenService(new TextEncoder().encode(jwtSecret), 6 * 3600);
  const store = await openEvents(dataDir);
  try {
    const deps = { store, aggregates: new AggregateLoader(store) };
    const as = (user: BenchUser) => ({ actorId: user.id, correlationId: randomUUID(), now: new Date() });
    // Every bench user has the same password, hashed once: the events are those registerUser appends.
    const passwordHash = await hashPassword(PASSWORD, BENCH_SCRYPT_LOG_N);
    const users: BenchUser[] = new Array(options.users);
    const at = new Date().toISOString();
    await forEachLimit(Array.from({ length: options.users }, (_, i) => i), 64, async (i) => {
      const username = `bench${i}`;
      const userId = newId();
      await registerWithHash(store, { userId, username, email: `${username}@bench.invalid`, passwordHash, role: 'member' }, at);
      users[i] = { id: userId, username, token: (await tokens.issue(userId)).token };
    });
    const threads: BenchThread[] = new Array(options.threads);
    await forEachLimit(Array.from({ length: options.threads }, (_, t) => t), 128, async (t) => {
      const members = Array.from({ length: options.membersPerThread }, (_, k) => (t * options.membersPerThread + k) % options.users);
      const [owner, ...others] = [...new Set(members)];
      const created = await createThread(deps, { title: `bench thread ${t}`, visibility: 'public' }, as(users[owner!]!));
      const threadId = created.events[0]!.data.threadId;
      // A thread's joins one after the other: concurrent joins of one stream would only conflict and retry.
      for (const member of others) await joinThread(deps, threadId, as(users[member]!));
      threads[t] = { id: threadId, members };
    });
    return { jwtSecret, users, threads };
  } finally {
    await store.close();
  }
}

const toAppend = (event: DomainEvent, actorId: string | null, occurredAt: string): EventToAppend => {
  assertValidEvent(event.type, event.data);
  return {
    id: newId(),
    type: event.type,
    data: event.data,
    metadata: { actorId, correlationId: randomUUID(), causationId: null, occurredAt, schemaVersion: SCHEMA_VERSION },
  };
};

/** The two events of a registration (name reservation first, as registerUser does), without hashing per user. */
async function registerWithHash(store: EventStore, user: Extract<DomainEvent, { type: 'UserRegistered' }>['data'], at: string): Promise<void> {
  const { userId, username } = user;
  await store.append(usernameStream(username), [toAppend({ type: 'UsernameReserved', data: { username, userId } }, userId, at)], 'no_stream');
  await store.append(userStream(userId), [toAppend({ type: 'UserRegistered', data: user }, userId, at)], 'no_stream');
}

/** Appends `count` MessagePosted events to a thread, in batches; returns the seq of the first. */
export async function appendMessages(dataDir: string, threadId: string, authorIds: readonly string[], count: number): Promise<number> {
  const store = await openEvents(dataDir);
  try {
    return await appendMessagesTo(store, threadId, authorIds, count);
  } finally {
    await store.close();
  }
}

async function appendMessagesTo(store: EventStore, threadId: string, authorIds: readonly string[], count: number, batch = 500): Promise<number> {
  const stream = threadStream(threadId);
  const [head] = await store.readStream(stream, { direction: 'backwards', maxCount: 1 });
  const firstSeq = (head?.revision ?? -1) + 1;
  const at = new Date().toISOString();
  for (let done = 0; done < count; done += batch) {
    const events = Array.from({ length: Math.min(batch, count - done) }, (_, i) => {
      const authorId = authorIds[(done + i) % authorIds.length]!;
      const data = { threadId, messageId: newId(), authorId, content: `history message ${done + i}`, clientMessageId: null };
      return toAppend({ type: 'MessagePosted', data }, authorId, at);
    });
    await store.append(stream, events, 'any');
  }
  return firstSeq;
}

/**
 * A log of exactly `totalEvents` events shaped like real use: users (reserved
 * name, registration), public threads with members, then messages spread over
 * the threads. User 0 is an admin; its token is returned for the event feed.
 */
export async function seedLog(
  dataDir: string,
  options: { totalEvents: number; users?: number; threads?: number; membersPerThread?: number },
): Promise<{ jwtSecret: string; adminToken: string; head: number }> {
  const users = options.users ?? 1000;
  const threads = options.threads ?? 200;
  const membersPerThread = Math.min(options.membersPerThread ?? 10, users);
  const setupEvents = users * 2 + 1 + threads * (1 + membersPerThread);
  if (options.totalEvents < setupEvents) throw new Error(`a log of ${options.totalEvents} events cannot hold its ${setupEvents} setup events`);
  const jwtSecret = newJwtSecret();
  const store = await openEvents(dataDir);
  try {
    const at = new Date().toISOString();
    const userIds = Array.from({ length: users }, () => newId());
    const passwordHash = await hashPassword(PASSWORD, BENCH_SCRYPT_LOG_N);
    await forEachLimit(userIds, 64, async (userId, i) => {
      const username = `bench${i}`;
      await registerWithHash(store, { userId, username, email: `${username}@bench.invalid`, passwordHash, role: 'member' }, at);
    });
    const adminId = userIds[0]!;
    await store.append(userStream(adminId), [toAppend({ type: 'UserRoleChanged', data: { userId: adminId, role: 'admin', by: null } }, null, at)], 'any');
    const threadIds = Array.from({ length: threads }, () => newId());
    const membersOf = (t: number) => Array.from({ length: membersPerThread }, (_, k) => userIds[(t * membersPerThread + k) % users]!);
    await forEachLimit(threadIds, 64, async (threadId, t) => {
      const [owner, ...others] = membersOf(t);
      const events: DomainEvent[] = [
        { type: 'ThreadCreated', data: { threadId, title: `bench thread ${t}`, visibility: 'public', createdBy: owner! } },
        { type: 'MemberJoined', data: { threadId, userId: owner!, role: 'owner', invitedBy: null } },
        ...others.map((userId): DomainEvent => ({ type: 'MemberJoined', data: { threadId, userId, role: 'member', invitedBy: null } })),
      ];
      await store.append(threadStream(threadId), events.map((event) => toAppend(event, owner!, at)), 'no_stream');
    });
    const messages = options.totalEvents - setupEvents;
    await forEachLimit(threadIds, 64, async (threadId, t) => {
      const share = Math.floor(messages / threads) + (t < messages % threads ? 1 : 0);
      if (share > 0) await appendMessagesTo(store, threadId, membersOf(t), share);
    });
    const tokens = createTokenService(new TextEncoder().encode(jwtSecret), 6 * 3600);
    return { jwtSecret, adminToken: (await tokens.issue(adminId)).token, head: await store.headPosition() };
  } finally {
    await store.close();
  }
}
