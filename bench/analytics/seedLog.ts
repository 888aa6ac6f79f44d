/**
 * Fills a data dir with a realistic, schema-valid log for the analytics benchmarks:
 *   npx tsx bench/analytics/seedLog.ts <dataDir> [events=100000]
 * Appends straight to the embedded event store (no command handlers, no scrypt),
 * many streams per group commit, so 100,000 events take seconds.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { EventToAppend } from '../../src/eventstore/eventStore.js';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { newId } from '../../src/ids.js';
import { assertValidEvent } from '../../src/domain/schemas.js';

const [dataDir, eventsArg] = process.argv.slice(2);
if (!dataDir) throw new Error('usage: seedLog.ts <dataDir> [events]');
const target = Number(eventsArg ?? 100_000);
const USERS = 200;
const THREADS = 200;
const MEMBERS_PER_THREAD = 10;
const BATCH = 50;

const store = await openSqliteEventStore({ file: join(dataDir, 'events.db') });
let appended = 0;
let clock = Date.parse('2026-01-01T00:00:00Z');
const event = (type: string, data: Record<string, unknown>, actorId: string | null): EventToAppend => {
  assertValidEvent(type, data);
  clock += 10;
  return {
    id: newId(),
    type,
    data,
    metadata: { actorId, correlationId: randomUUID(), causationId: null, occurredAt: new Date(clock).toISOString(), schemaVersion: 1 },
  };
};
const append = async (stream: string, events: EventToAppend[]) => {
  await store.append(stream, events, 'any');
  appended += events.length;
};

const users = Array.from({ length: USERS }, (_, i) => ({ id: newId(), username: `bench_${i}` }));
await Promise.all(
  users.flatMap((u) => [
    append(`username-${u.username}`, [event('UsernameReserved', { username: u.username, userId: u.id }, u.id)]),
    append(`user-${u.id}`, [
      event('UserRegistered', { userId: u.id, username: u.username, email: `${u.username}@example.com`, passwordHash: 'scrypt$bench', role: 'member' }, u.id),
    ]),
  ]),
);

const pick = <T>(items: T[]) => items[Math.floor(Math.random() * items.length)]!;
const threads = Array.from({ length: THREADS }, () => ({ id: newId(), members: [] as string[], messages: [] as string[] }));
await Promise.all(
  threads.map((thread) => {
    const owner = pick(users).id;
    const members = new Set([owner]);
    while (members.size < MEMBERS_PER_THREAD) members.add(pick(users).id);
    thread.members = [...members];
    return append(`thread-${thread.id}`, [
      event('ThreadCreated', { threadId: thread.id, title: `thread ${thread.id.slice(0, 8)}`, visibility: 'public', createdBy: owner }, owner),
      ...thread.members.map((userId, i) =>
        event('MemberJoined', { threadId: thread.id, userId, role: i === 0 ? 'owner' : 'member', invitedBy: null }, userId),
      ),
    ]);
  }),
);

const words = 'the quick brown fox jumps over lazy dogs while analysts read every event in order'.split(' ');
while (appended < target) {
  await Promise.all(
    threads.map((thread) => {
      const batch: EventToAppend[] = [];
      for (let i = 0; i < BATCH; i++) {
        const authorId = pick(thread.members);
        if (thread.messages.length > 0 && Math.random() < 0.01) {
          batch.push(event('MessageRedacted', { threadId: thread.id, messageId: thread.messages.pop()!, by: authorId, reason: null }, authorId));
          continue;
        }
        const messageId = newId();
        thread.messages.push(messageId);
        const content = Array.from({ length: 5 + Math.floor(Math.random() * 30) }, () => pick(words)).join(' ');
        batch.push(event('MessagePosted', { threadId: thread.id, messageId, authorId, content, clientMessageId: null }, authorId));
      }
      return append(`thread-${thread.id}`, batch);
    }),
  );
  process.stderr.write(`\rseeded ${appended} events`);
}
await store.close();
console.error(`\nseeded ${appended} events into ${join(dataDir, 'events.db')}`);
