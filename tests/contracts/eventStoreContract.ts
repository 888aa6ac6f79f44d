import { randomUUID } from 'node:crypto';
import { filter, firstValueFrom, take, timeout, toArray, type Observable } from 'rxjs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  WrongExpectedVersion,
  type EphemeralSignal,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ProjectedEvent,
  type RecordedEvent,
} from '../../src/eventstore/eventStore.js';

export interface EventStoreUnderTest {
  store: EventStore;
  cleanup(): Promise<void>;
}

export interface EventStoreContractOptions {
  /** Opens another instance on the backend of the store the factory made last. */
  openSecond?: () => Promise<EventStore>;
}

/** Generous bound for anything asynchronous: a stuck subscription fails instead of hanging. */
const WAIT_MS = 10_000;
/** More than one catch-up page of the adapters (SQLite reads 500 at a time). */
const BACKLOG = 1_200;

export const streamName = (prefix = 'contract') => `${prefix}-${randomUUID()}`;

export function newEvent(type = 'Tested', data: unknown = { n: 0 }): EventToAppend {
  return {
    id: randomUUID(),
    type,
    data,
    metadata: {
      actorId: 'user-1',
      correlationId: randomUUID(),
      causationId: null,
      occurredAt: '2024-05-01T12:00:00.000Z',
      schemaVersion: 1,
    },
  };
}

export const numbered = (count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => newEvent('Numbered', { n: from + i }));

/** The first `count` values, failing after WAIT_MS of silence. */
export function firstValues<T>(source: Observable<T>, count: number): Promise<T[]> {
  return firstValueFrom(source.pipe(take(count), timeout({ each: WAIT_MS }), toArray()));
}

/** Waits until at least `count` items arrived; the caller then checks exactly what arrived. */
async function waitForCount(seen: readonly unknown[], count: number): Promise<void> {
  await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(count), { timeout: WAIT_MS, interval: 10 });
}

async function expectWrongExpectedVersion(attempt: Promise<unknown>, actual: number): Promise<void> {
  const error: unknown = await attempt.then(
    () => new Error('append succeeded'),
    (rejection: unknown) => rejection,
  );
  expect(error).toBeInstanceOf(WrongExpectedVersion);
  expect((error as WrongExpectedVersion).actual).toBe(actual);
}

const ids = (events: readonly { id: string }[]) => events.map((event) => event.id);
const revisions = (events: readonly RecordedEvent[]) => events.map((event) => event.revision);
const range = (from: number, count: number) => Array.from({ length: count }, (_, i) => from + i);

function expectIncreasingPositions(events: readonly RecordedEvent[]): void {
  events.slice(1).forEach((event, i) => expect(event.position).toBeGreaterThan(events[i]?.position ?? Infinity));
}

/**
 * Guarantees of the event-store port, registered as vitest tests. Runs unchanged
 * against every adapter, so it assumes nothing beyond the port: streams are
 * unique per test, positions are only compared, never counted.
 */
export function eventStoreContract(
  name: string,
  factory: () => Promise<EventStoreUnderTest>,
  options: EventStoreContractOptions = {},
): void {
  describe(`event store contract: ${name}`, () => {
    let store: EventStore;
    let cleanup: () => Promise<void>;

    beforeEach(async () => {
      ({ store, cleanup } = await factory());
    });
    afterEach(async () => {
      await cleanup();
    });

    describe('append', () => {
      it('numbers revisions from 0 per stream and returns the global position of the last event', async () => {
        const stream = streamName();
        const first = await store.append(stream, numbered(2), 'no_stream');
        expect(first.nextRevision).toBe(1);
        const second = await store.append(stream, numbered(1, 2), 1);
        expect(second.nextRevision).toBe(2);
        expect(second.position).toBeGreaterThan(first.position);

        const events = await store.readStream(stream);
        expect(revisions(events)).toEqual([0, 1, 2]);
        expect(events[1]?.position).toBe(first.position);
        expect(events[2]?.position).toBe(second.position);
        expectIncreasingPositions(events);
        expect(await store.headPosition()).toBeGreaterThanOrEqual(second.position);
      });

      it('records id, type, data, metadata and a recording time as given', async () => {
        const stream = streamName();
        const event = newEvent('MessagePosted', { content: 'héllo 👋', nested: { list: [1, null, 'x'] } });
        await store.append(stream, [event], 'no_stream');
        const [recorded] = await store.readStream(stream);
        expect(recorded).toMatchObject({
          id: event.id,
          stream,
          type: 'MessagePosted',
          revision: 0,
          data: event.data,
          metadata: event.metadata,
        });
        expect(Number.isNaN(Date.parse(recorded?.recordedAt ?? ''))).toBe(false);
      });

      it('keeps streams apart', async () => {
        const [a, b] = [streamName(), streamName()];
        await store.append(a, numbered(2), 'no_stream');
        const inB = await store.append(b, numbered(1), 'no_stream');
        expect(inB.nextRevision).toBe(0);
        expect(await store.readStream(b)).toHaveLength(1);
      });
    });

    describe('expected revision', () => {
      const cases: { expected: ExpectedRevision; existingRevision: number | null; succeeds: boolean }[] = [
        { expected: 'no_stream', existingRevision: null, succeeds: true },
        { expected: 'no_stream', existingRevision: 1, succeeds: false },
        { expected: 'stream_exists', existingRevision: null, succeeds: false },
        { expected: 'stream_exists', existingRevision: 0, succeeds: true },
        { expected: 'any', existingRevision: null, succeeds: true },
        { expected: 'any', existingRevision: 2, succeeds: true },
        { expected: 1, existingRevision: 1, succeeds: true },
        { expected: 0, existingRevision: 1, succeeds: false },
        { expected: 2, existingRevision: 1, succeeds: false },
        { expected: 0, existingRevision: null, succeeds: false },
      ];

      for (const { expected, existingRevision, succeeds } of cases) {
        const given = existingRevision === null ? 'a new stream' : `a stream at revision ${existingRevision}`;
        it(`${String(expected)} on ${given} ${succeeds ? 'appends' : 'fails with the actual revision'}`, async () => {
          const stream = streamName();
          if (existingRevision !== null) await store.append(stream, numbered(existingRevision + 1), 'no_stream');
          const actual = existingRevision ?? -1;
          const attempt = store.append(stream, [newEvent()], expected);
          if (succeeds) {
            expect((await attempt).nextRevision).toBe(actual + 1);
            expect(await store.readStream(stream)).toHaveLength(actual + 2);
          } else {
            await expectWrongExpectedVersion(attempt, actual);
            expect(await store.readStream(stream)).toHaveLength(actual + 1);
          }
        });
      }

      it('lets exactly one of several concurrent appends at the same revision win', async () => {
        const stream = streamName();
        await store.append(stream, numbered(1), 'no_stream');
        const attempts = Array.from({ length: 5 }, (_, i) => [newEvent('Raced', { i }), newEvent('Raced', { i })]);
        const outcomes = await Promise.allSettled(attempts.map((events) => store.append(stream, events, 0)));

        const winners = outcomes.flatMap((outcome, i) => (outcome.status === 'fulfilled' ? [i] : []));
        expect(winners).toHaveLength(1);
        for (const outcome of outcomes) {
          if (outcome.status === 'rejected') expect(outcome.reason).toBeInstanceOf(WrongExpectedVersion);
        }
        const events = await store.readStream(stream);
        expect(ids(events.slice(1))).toEqual(ids(attempts[winners[0] ?? -1] ?? []));
      });

      it('lets exactly one of several concurrent creations of a stream win', async () => {
        const stream = streamName('username');
        const outcomes = await Promise.allSettled(
          Array.from({ length: 4 }, () => store.append(stream, [newEvent('UsernameReserved')], 'no_stream')),
        );
        expect(outcomes.filter((outcome) => outcome.status === 'fulfilled')).toHaveLength(1);
        expect(await store.readStream(stream)).toHaveLength(1);
      });
    });

    describe('idempotent append by event id', () => {
      // A retry repeats the first call: same events, same expected revision, which may be stale by now.
      const retries: { expected: ExpectedRevision; existing: number }[] = [
        { expected: 'no_stream', existing: 0 },
        { expected: 0, existing: 1 },
        { expected: 'any', existing: 1 },
        { expected: 'stream_exists', existing: 1 },
      ];

      for (const { expected, existing } of retries) {
        it(`answers a retried append (expected ${String(expected)}) with the first result, appending nothing`, async () => {
          const stream = streamName();
          if (existing > 0) await store.append(stream, numbered(existing), 'no_stream');
          const events = numbered(2, existing);
          const first = await store.append(stream, events, expected);
          expect(first.nextRevision).toBe(existing + 1);

          expect(first.alreadyRecorded).toBeUndefined();
          expect(await store.append(stream, events, expected)).toEqual({ ...first, alreadyRecorded: true });
          expect(revisions(await store.readStream(stream))).toEqual(range(0, existing + 2));
        });
      }

      it('still appends new events after a retried one', async () => {
        const stream = streamName();
        const events = numbered(1);
        await store.append(stream, events, 'no_stream');
        await store.append(stream, events, 'no_stream');
        const next = await store.append(stream, numbered(1, 1), 0);
        expect(next.nextRevision).toBe(1);
      });
    });

    describe('readStream', () => {
      let stream: string;
      let appended: EventToAppend[];

      beforeEach(async () => {
        stream = streamName();
        appended = numbered(5);
        await store.append(stream, appended.slice(0, 2), 'no_stream');
        await store.append(stream, appended.slice(2), 1);
      });

      it('reads forwards from the start by default', async () => {
        const events = await store.readStream(stream);
        expect(ids(events)).toEqual(ids(appended));
        expect(revisions(events)).toEqual([0, 1, 2, 3, 4]);
      });

      it('reads forwards from a revision (inclusive), up to maxCount', async () => {
        expect(revisions(await store.readStream(stream, { fromRevision: 2 }))).toEqual([2, 3, 4]);
        expect(revisions(await store.readStream(stream, { fromRevision: 1, maxCount: 2 }))).toEqual([1, 2]);
        expect(await store.readStream(stream, { fromRevision: 5 })).toEqual([]);
      });

      it('reads backwards from the end by default, or from a revision (inclusive), up to maxCount', async () => {
        expect(revisions(await store.readStream(stream, { direction: 'backwards' }))).toEqual([4, 3, 2, 1, 0]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', maxCount: 2 }))).toEqual([4, 3]);
        expect(revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 2 }))).toEqual([2, 1, 0]);
        expect(
          revisions(await store.readStream(stream, { direction: 'backwards', fromRevision: 3, maxCount: 2 })),
        ).toEqual([3, 2]);
      });

      it('reads an unknown stream as empty', async () => {
        expect(await store.readStream(streamName('missing'))).toEqual([]);
        expect(await store.readStream(streamName('missing'), { direction: 'backwards' })).toEqual([]);
      });
    });

    describe('readAll', () => {
      it('reads events of all streams in append order, after an exclusive position, up to maxCount', async () => {
        const before = await store.headPosition();
        const [a, b] = [streamName(), streamName()];
        const appended = [newEvent(), newEvent(), newEvent(), newEvent()];
        await store.append(a, appended.slice(0, 1), 'no_stream');
        await store.append(b, appended.slice(1, 3), 'no_stream');
        await store.append(a, appended.slice(3), 0);

        const ours = (events: RecordedEvent[]) => events.filter((event) => event.stream === a || event.stream === b);
        const all = await store.readAll({ after: before });
        expectIncreasingPositions(all);
        expect(all.every((event) => event.position > before)).toBe(true);
        expect(ids(ours(all))).toEqual(ids(appended));
        expect(ours(all).map((event) => event.stream)).toEqual([a, b, b, a]);

        const firstOfOurs = ours(all)[0]?.position ?? 0;
        expect(ids(ours(await store.readAll({ after: firstOfOurs })))).toEqual(ids(appended.slice(1)));
        const page = await store.readAll({ after: before, maxCount: 2 });
        expect(page).toHaveLength(2);
        expect(ids(page)).toEqual(ids(all.slice(0, 2)));
      });

      it('reads from the start when no position is given', async () => {
        const stream = streamName();
        await store.append(stream, numbered(1), 'no_stream');
        const [oldest] = await store.readAll({ maxCount: 1 });
        const [fromZero] = await store.readAll({ after: 0, maxCount: 1 });
        expect(oldest?.id).toBe(fromZero?.id);
      });

      it('readAllForProjection reads the same events, each with all that projections read of it', async () => {
        const before = await store.headPosition();
        const [a, b] = [streamName(), streamName()];
        await store.append(a, numbered(2), 'no_stream');
        await store.append(b, numbered(1), 'no_stream');
        const projected = (event: ProjectedEvent) => {
          const { stream, type, revision, position, data, metadata } = event;
          return { stream, type, revision, position, data, metadata };
        };
        const all = await store.readAll({ after: before });
        expect((await store.readAllForProjection({ after: before })).map(projected)).toEqual(all.map(projected));
        const page = await store.readAllForProjection({ after: all[0]!.position, maxCount: 1 });
        expect(page.map(projected)).toEqual(all.slice(1, 2).map(projected));
      });
    });

    describe('subscribeToStream', () => {
      it('catches up on a backlog, including appends made during the catch-up, then goes live, in order', async () => {
        const stream = streamName();
        await store.append(stream, numbered(BACKLOG), 'no_stream');
        const seen: RecordedEvent[] = [];
        const subscription = store.subscribeToStream(stream).subscribe((event) => seen.push(event));
        try {
          for (let i = 0; i < 10; i++) await store.append(stream, numbered(1, BACKLOG + i), BACKLOG - 1 + i);
          await waitForCount(seen, BACKLOG + 10);
          for (let i = 10; i < 20; i++) await store.append(stream, numbered(1, BACKLOG + i), 'any');
          await waitForCount(seen, BACKLOG + 20);

          expect(revisions(seen)).toEqual(range(0, BACKLOG + 20));
          expect(seen.map((event) => (event.data as { n: number }).n)).toEqual(range(0, BACKLOG + 20));
        } finally {
          subscription.unsubscribe();
        }
      });

      it('starts after the given revision', async () => {
        const stream = streamName();
        await store.append(stream, numbered(5), 'no_stream');
        const received = firstValues(store.subscribeToStream(stream, { afterRevision: 2 }), 3);
        await store.append(stream, numbered(1, 5), 4);
        expect(revisions(await received)).toEqual([3, 4, 5]);
      });

      it('reads from the start with afterRevision -1, and follows a stream that does not exist yet', async () => {
        const stream = streamName();
        const received = firstValues(store.subscribeToStream(stream, { afterRevision: -1 }), 2);
        await store.append(stream, numbered(2), 'no_stream');
        expect(revisions(await received)).toEqual([0, 1]);
      });

      it('delivers only the subscribed stream', async () => {
        const [mine, other] = [streamName(), streamName()];
        const received = firstValues(store.subscribeToStream(mine), 2);
        await store.append(other, numbered(1), 'no_stream');
        await store.append(mine, numbered(1), 'no_stream');
        await store.append(other, numbered(1), 0);
        await store.append(mine, numbered(1), 0);
        expect((await received).map((event) => event.stream)).toEqual([mine, mine]);
      });

      it('stops delivering after unsubscribe', async () => {
        const stream = streamName();
        const seen: RecordedEvent[] = [];
        const subscription = store.subscribeToStream(stream).subscribe((event) => seen.push(event));
        // A second, still-open subscription tells when later events have been delivered.
        const witness = firstValues(store.subscribeToStream(stream), 3);
        await store.append(stream, numbered(1), 'no_stream');
        await waitForCount(seen, 1);
        subscription.unsubscribe();
        await store.append(stream, numbered(2, 1), 0);
        expect(revisions(await witness)).toEqual([0, 1, 2]);
        expect(revisions(seen)).toEqual([0]);
      });
    });

    describe('subscribeToAll', () => {
      it('catches up after a position, including appends made during the catch-up, then goes live, in order', async () => {
        const before = await store.headPosition();
        const [a, b] = [streamName(), streamName()];
        const appended = numbered(BACKLOG);
        await store.append(a, appended.slice(0, BACKLOG / 2), 'no_stream');
        await store.append(b, appended.slice(BACKLOG / 2), 'no_stream');
        const ours = new Set([a, b]);
        const seen: RecordedEvent[] = [];
        const subscription = store
          .subscribeToAll({ after: before })
          .pipe(filter((event) => ours.has(event.stream)))
          .subscribe((event) => seen.push(event));
        const appendOne = async (i: number) => {
          const events = numbered(1, BACKLOG + i);
          appended.push(...events);
          await store.append(i % 2 === 0 ? a : b, events, 'any');
        };
        try {
          for (let i = 0; i < 10; i++) await appendOne(i);
          await waitForCount(seen, BACKLOG + 10);
          for (let i = 10; i < 20; i++) await appendOne(i);
          await waitForCount(seen, BACKLOG + 20);

          expect(ids(seen)).toEqual(ids(appended));
          expectIncreasingPositions(seen);
          expect(seen[0]?.position).toBeGreaterThan(before);
        } finally {
          subscription.unsubscribe();
        }
      });

      it('starts after the given position (exclusive)', async () => {
        const stream = streamName();
        const first = await store.append(stream, numbered(2), 'no_stream');
        const received = firstValues(
          store.subscribeToAll({ after: first.position }).pipe(filter((event) => event.stream === stream)),
          1,
        );
        await store.append(stream, numbered(1, 2), 1);
        expect(revisions(await received)).toEqual([2]);
      });

      it('stops delivering after unsubscribe', async () => {
        const before = await store.headPosition();
        const stream = streamName();
        const seen: RecordedEvent[] = [];
        const subscription = store
          .subscribeToAll({ after: before })
          .pipe(filter((event) => event.stream === stream))
          .subscribe((event) => seen.push(event));
        const witness = firstValues(store.subscribeToStream(stream), 3);
        await store.append(stream, numbered(1), 'no_stream');
        await waitForCount(seen, 1);
        subscription.unsubscribe();
        await store.append(stream, numbered(2, 1), 0);
        expect(revisions(await witness)).toEqual([0, 1, 2]);
        expect(revisions(seen)).toEqual([0]);
      });
    });

    describe('ephemeral signals', () => {
      it('reach subscribers of their channel only, from subscription time on', async () => {
        const key = randomUUID();
        const [channel, otherChannel] = [`typing-${key}`, `typing-other-${key}`];
        await store.publishEphemeral(channel, { before: 'subscribing' });
        const received: EphemeralSignal[] = [];
        const onOther: EphemeralSignal[] = [];
        const subscriptions = [
          store.ephemeral(channel).subscribe((signal) => received.push(signal)),
          store.ephemeral(otherChannel).subscribe((signal) => onOther.push(signal)),
        ];
        try {
          const payload = { userId: 'u1', isTyping: true };
          await publishUntilReceived(store, channel, payload, received);
          expect(received[0]).toEqual({ channel, payload });
          expect(received.every((signal) => signal.channel === channel)).toBe(true);
          expect(received.some((signal) => 'before' in (signal.payload as object))).toBe(false);
          expect(onOther).toEqual([]);
        } finally {
          subscriptions.forEach((subscription) => subscription.unsubscribe());
        }
      });

      it('never appear in readAll, readStream or subscriptions', async () => {
        const before = await store.headPosition();
        const key = randomUUID();
        const channel = `typing-${key}`;
        const marker = streamName(`marker-${key}`);
        const seen: RecordedEvent[] = [];
        const all = store.subscribeToAll({ after: before }).subscribe((event) => seen.push(event));
        const received: EphemeralSignal[] = [];
        const signals = store.ephemeral(channel).subscribe((signal) => received.push(signal));
        try {
          await publishUntilReceived(store, channel, { key }, received);
          await store.append(marker, [newEvent()], 'no_stream');
          await vi.waitFor(() => expect(seen.some((event) => event.stream === marker)).toBe(true), {
            timeout: WAIT_MS,
          });
          const mentionsSignal = (event: RecordedEvent) =>
            event.stream.includes(channel) || JSON.stringify(event.data ?? null).includes(key);
          expect(seen.filter((event) => event.stream !== marker && mentionsSignal(event))).toEqual([]);
          expect((await store.readAll({ after: before })).filter((event) => event.stream !== marker && mentionsSignal(event))).toEqual([]);
          expect(await store.readStream(channel)).toEqual([]);
        } finally {
          all.unsubscribe();
          signals.unsubscribe();
        }
      });
    });

    describe.skipIf(!options.openSecond)('a second instance on the same backend', () => {
      let second: EventStore;
      beforeEach(async () => {
        second = await (options.openSecond as () => Promise<EventStore>)();
      });
      afterEach(async () => {
        await second.close();
      });

      it('sees appends of the first through live stream and $all subscriptions', async () => {
        const stream = streamName();
        await store.append(stream, numbered(2), 'no_stream');
        const before = await store.headPosition();
        const inStream = firstValues(second.subscribeToStream(stream), 5);
        const inAll = firstValues(
          second.subscribeToAll({ after: before }).pipe(filter((event) => event.stream === stream)),
          3,
        );
        for (let i = 2; i < 5; i++) await store.append(stream, numbered(1, i), i - 1);

        expect(revisions(await inStream)).toEqual([0, 1, 2, 3, 4]);
        expect(revisions(await inAll)).toEqual([2, 3, 4]);
      });

      it('sees the conflicts of appends made through the first', async () => {
        const stream = streamName();
        await store.append(stream, numbered(1), 'no_stream');
        await expectWrongExpectedVersion(second.append(stream, [newEvent()], 'no_stream'), 0);
      });

      it('receives ephemeral signals published through the first', async () => {
        const channel = `presence-${randomUUID()}`;
        const received: EphemeralSignal[] = [];
        const subscription = second.ephemeral(channel).subscribe((signal) => received.push(signal));
        try {
          await publishUntilReceived(store, channel, { online: ['u1'] }, received);
          expect(received[0]).toEqual({ channel, payload: { online: ['u1'] } });
        } finally {
          subscription.unsubscribe();
        }
      });
    });
  });
}

/** Subscriptions may become live asynchronously: publish until the first signal arrives. */
async function publishUntilReceived(
  publisher: EventStore,
  channel: string,
  payload: unknown,
  received: readonly EphemeralSignal[],
): Promise<void> {
  await vi.waitFor(
    async () => {
      if (received.length === 0) await publisher.publishEphemeral(channel, payload);
      expect(received.length).toBeGreaterThan(0);
    },
    { timeout: WAIT_MS, interval: 50 },
  );
}
