import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { WrongExpectedVersion, type AppendResult, type EventStore, type RecordedEvent } from '../../src/eventstore/eventStore.js';
import { openSqliteEventStore } from '../../src/eventstore/sqliteEventStore.js';
import { eventStoreContract, newEvent, numbered, streamName } from '../contracts/eventStoreContract.js';

const WAIT = { timeout: 15_000, interval: 10 };
const appendingProcess = fileURLToPath(new URL('./fixtures/appendingProcess.ts', import.meta.url));
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

function tempFile(): { file: string; removeDir(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'sqlite-event-store-'));
  // A missing subdirectory: opening must create it.
  return { file: join(dir, 'data', 'events.db'), removeDir: () => rmSync(dir, { recursive: true, force: true }) };
}

let currentFile = '';
eventStoreContract(
  'sqlite',
  async () => {
    const { file, removeDir } = tempFile();
    currentFile = file;
    const store = await openSqliteEventStore({ file });
    return {
      store,
      async cleanup() {
        await store.close();
        removeDir();
      },
    };
  },
  { openSecond: () => openSqliteEventStore({ file: currentFile }) },
);

interface ChildAck extends AppendResult {
  id: string;
}

/** Runs the appending fixture in another Node process; `onAck` sees each acknowledged append. */
function startAppendingProcess(file: string, stream: string, count: number, onAck: (ack: ChildAck) => void) {
  const child = spawn(process.execPath, ['--import', 'tsx', appendingProcess, file, stream, String(count)], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  createInterface({ input: child.stdout }).on('line', (line) => onAck(JSON.parse(line) as ChildAck));
  return child;
}

describe('sqlite event store', () => {
  let file: string;
  let removeDir: () => void;
  let store: EventStore;

  beforeEach(async () => {
    ({ file, removeDir } = tempFile());
    store = await openSqliteEventStore({ file });
  });
  afterEach(async () => {
    await store.close();
    removeDir();
  });

  describe('group commit', () => {
    it('commits appends of one tick together, a conflicting one failing alone', async () => {
      const [a, b] = [streamName(), streamName()];
      const outcomes = await Promise.allSettled([
        store.append(a, numbered(2), 'no_stream'),
        store.append(a, numbered(1), 'no_stream'),
        store.append(b, numbered(1), 'no_stream'),
        store.append(a, numbered(1), 1),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
      expect((outcomes[1] as PromiseRejectedResult).reason).toBeInstanceOf(WrongExpectedVersion);
      expect((await store.readStream(a)).map((event) => event.revision)).toEqual([0, 1, 2]);
      expect(await store.readStream(b)).toHaveLength(1);
    });

    it('rolls back a half-written append without touching the others of the batch', async () => {
      const taken = newEvent();
      await store.append(streamName(), [taken], 'no_stream');
      const [broken, fine] = [streamName(), streamName()];
      const outcomes = await Promise.allSettled([
        store.append(broken, [newEvent(), taken], 'no_stream'),
        store.append(fine, numbered(1), 'no_stream'),
      ]);
      expect(outcomes.map((outcome) => outcome.status)).toEqual(['rejected', 'fulfilled']);
      expect(await store.readStream(broken)).toEqual([]);
      expect(await store.readStream(fine)).toHaveLength(1);
    });

    it('answers a retry queued in the same batch as the original with the same result', async () => {
      const stream = streamName();
      const events = numbered(2);
      const [first, retry] = await Promise.all([
        store.append(stream, events, 'no_stream'),
        store.append(stream, events, 'no_stream'),
      ]);
      expect(retry).toEqual({ ...first, alreadyRecorded: true });
      expect(await store.readStream(stream)).toHaveLength(2);
    });
  });

  it('answers a retry with the original result even when its expected revision no longer matches', async () => {
    const stream = streamName();
    const events = numbered(1);
    const first = await store.append(stream, events, 'no_stream');
    await store.append(stream, numbered(2, 1), 0);
    expect(await store.append(stream, events, 5)).toEqual({ ...first, alreadyRecorded: true });
  });

  it('keeps events and numbering across a close and reopen', async () => {
    const stream = streamName();
    const first = await store.append(stream, numbered(2), 'no_stream');
    await store.close();
    store = await openSqliteEventStore({ file });
    expect(await store.readStream(stream)).toHaveLength(2);
    const next = await store.append(stream, numbered(1, 2), 1);
    expect(next.position).toBeGreaterThan(first.position);
    expect(await store.headPosition()).toBe(next.position);
  });

  it('parses an event once and hands the same object to every live subscriber', async () => {
    const stream = streamName();
    const seenByA: RecordedEvent[] = [];
    const seenByB: RecordedEvent[] = [];
    const subscriptions = [seenByA, seenByB].map((seen) =>
      store.subscribeToStream(stream).subscribe((event) => seen.push(event)),
    );
    // Wait until both are live: an appended event then reaches both from the shared tail.
    await vi.waitFor(async () => {
      await store.append(stream, [newEvent()], 'any');
      expect(seenByA.length).toBeGreaterThan(0);
      expect(seenByB.length).toBeGreaterThan(0);
    }, WAIT);
    const last = await store.append(stream, [newEvent('Last', { big: 'x'.repeat(100) })], 'any');
    await vi.waitFor(() => expect(seenByB.at(-1)?.position).toBe(last.position), WAIT);
    const [eventA, eventB] = [seenByA.at(-1), seenByB.at(-1)];
    expect(eventA).toBe(eventB);
    expect(eventA?.data).toBe(eventB?.data);
    subscriptions.forEach((subscription) => subscription.unsubscribe());
  });

  it('delivers a batch it committed exactly as a read of the log returns it', async () => {
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribeToAll().subscribe((event) => seen.push(event));
    const [a, b] = [streamName(), streamName()];
    const retried = numbered(1);
    await store.append(a, retried, 'no_stream');
    // One batch: a multi-event append, a conflict, a retry of a recorded event, and one more stream.
    const outcomes = await Promise.allSettled([
      store.append(a, numbered(3, 1), 0),
      store.append(a, numbered(1), 'no_stream'),
      store.append(a, retried, 'no_stream'),
      store.append(b, [newEvent('Other', { nested: { list: [1, 'two', null] } })], 'no_stream'),
    ]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    const log = await store.readAll();
    await vi.waitFor(() => expect(seen).toHaveLength(log.length), WAIT);
    expect(seen).toEqual(log);
    expect(seen.map((event) => [event.stream, event.revision])).toEqual([
      [a, 0],
      [a, 1],
      [a, 2],
      [a, 3],
      [b, 0],
    ]);
    subscription.unsubscribe();
  });

  it('delivers interleaved commits of two stores on one file in position order, none missed', async () => {
    const other = await openSqliteEventStore({ file });
    try {
      const seen: RecordedEvent[] = [];
      const subscription = store.subscribeToAll().subscribe((event) => seen.push(event));
      const stream = streamName();
      for (let i = 0; i < 20; i++) await (i % 2 === 0 ? store : other).append(stream, [newEvent('Turn', { i })], i - 1);
      await vi.waitFor(() => expect(seen).toHaveLength(20), WAIT);
      expect(seen.map((event) => (event.data as { i: number }).i)).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(seen).toEqual(await store.readAll());
      subscription.unsubscribe();
    } finally {
      await other.close();
    }
  });

  it('completes open subscriptions and refuses appends on close', async () => {
    const stream = streamName();
    const completed: string[] = [];
    store.subscribeToStream(stream).subscribe({ complete: () => completed.push('stream') });
    store.subscribeToAll().subscribe({ complete: () => completed.push('all') });
    store.ephemeral('typing-x').subscribe({ complete: () => completed.push('ephemeral') });
    await store.close();
    expect(completed.sort()).toEqual(['all', 'ephemeral', 'stream']);
    await expect(store.append(stream, numbered(1), 'any')).rejects.toThrow(/closed/);
  });

  it('delivers appends made by another process to a live subscription, in order', async () => {
    const stream = streamName('thread');
    const seen: RecordedEvent[] = [];
    const subscription = store.subscribeToStream(stream).subscribe((event) => seen.push(event));
    const acks: ChildAck[] = [];
    const child = startAppendingProcess(file, stream, 30, (ack) => acks.push(ack));
    try {
      const [exitCode] = await once(child, 'exit');
      expect(exitCode).toBe(0);
      await vi.waitFor(() => expect(seen.length).toBeGreaterThanOrEqual(30), WAIT);
      expect(seen.map((event) => event.revision)).toEqual(Array.from({ length: 30 }, (_, i) => i));
      expect(seen.map((event) => event.id)).toEqual(acks.map((ack) => ack.id));
      expect(seen.map((event) => event.position)).toEqual(acks.map((ack) => ack.position));
    } finally {
      subscription.unsubscribe();
    }
  });

  it('keeps every acknowledged append of a process killed with SIGKILL', async () => {
    const stream = streamName();
    const acks: ChildAck[] = [];
    // The child appends until killed; it is killed as soon as its 20th acknowledgement arrives.
    const child = startAppendingProcess(file, stream, 0, (ack) => {
      acks.push(ack);
      if (acks.length === 20) child.kill('SIGKILL');
    });
    const [, signal] = await once(child, 'exit');
    expect(signal).toBe('SIGKILL');
    await store.close();

    store = await openSqliteEventStore({ file });
    const recorded = await store.readStream(stream);
    expect(acks.length).toBeGreaterThanOrEqual(20);
    expect(recorded.slice(0, acks.length).map((event) => event.id)).toEqual(acks.map((ack) => ack.id));
  });
});
