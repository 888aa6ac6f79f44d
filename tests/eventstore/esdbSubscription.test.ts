import { AccessDeniedError, UnavailableError } from '@eventstore/db-client';
import { PassThrough } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { resumableSubscription } from '../../src/eventstore/esdbSubscription.js';

/**
 * The resume logic runs here against Node streams shaped like the client's
 * catch-up subscriptions (a Readable plus unsubscribe), over an in-memory log:
 * the real EventStoreDB is only reachable where Docker is.
 */
class FakeSubscription extends PassThrough {
  unsubscribed = false;
  constructor() {
    super({ objectMode: true });
  }
  async unsubscribe() {
    this.unsubscribed = true;
    this.end();
  }
}

interface Item {
  n: number;
}

/** A log of items 1, 2, 3…; a subscription from cursor c replays the items after c, then follows appends. */
class FakeServer {
  readonly log: Item[] = [];
  readonly opened: { from: number; subscription: FakeSubscription }[] = [];

  append(count: number) {
    for (let i = 0; i < count; i++) {
      const item = { n: this.log.length + 1 };
      this.log.push(item);
      for (const { subscription } of this.live()) subscription.write(item);
    }
  }

  open = (from: number) => {
    const subscription = new FakeSubscription();
    this.opened.push({ from, subscription });
    for (const item of this.log.filter((i) => i.n > from)) subscription.write(item);
    return subscription;
  };

  live() {
    return this.opened.filter(({ subscription }) => !subscription.unsubscribed && !subscription.destroyed && subscription.writable);
  }

  /** Breaks every open subscription the way a lost connection does. */
  drop(error: Error = new UnavailableError(undefined, 'connection lost')) {
    for (const { subscription } of this.live()) subscription.destroy(error);
  }

  /** Ends every open subscription the way a server shutting down does. */
  end() {
    for (const { subscription } of this.live()) subscription.end();
  }
}

const WAIT = { timeout: 5_000, interval: 10 };

describe('resumableSubscription', () => {
  const cleanups: (() => void)[] = [];
  afterEach(() => cleanups.splice(0).forEach((cleanup) => cleanup()));

  function follow(server: FakeServer, start = 0) {
    const seen: number[] = [];
    const errors: unknown[] = [];
    const subscription = resumableSubscription<Item, number>({
      start,
      open: server.open,
      cursorOf: (item) => item.n,
    }).subscribe({ next: (item) => seen.push(item.n), error: (error: unknown) => errors.push(error) });
    cleanups.push(() => subscription.unsubscribe());
    return { seen, errors, subscription };
  }

  it('reopens from the last delivered item after a dropped connection: no gap, no duplicate', async () => {
    const server = new FakeServer();
    server.append(5);
    const { seen } = follow(server);
    await vi.waitFor(() => expect(seen).toHaveLength(5), WAIT);

    server.drop();
    server.append(3); // appended while disconnected
    await vi.waitFor(() => expect(server.live()).toHaveLength(1), WAIT);
    server.append(2);
    await vi.waitFor(() => expect(seen).toHaveLength(10), WAIT);

    expect(seen).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(server.opened.map((o) => o.from)).toEqual([0, 5]);
  });

  it('treats a subscription ended by the server as a drop', async () => {
    const server = new FakeServer();
    server.append(2);
    const { seen, errors } = follow(server);
    await vi.waitFor(() => expect(seen).toHaveLength(2), WAIT);

    server.end();
    await vi.waitFor(() => expect(server.opened).toHaveLength(2), WAIT);
    server.append(1);
    await vi.waitFor(() => expect(seen).toEqual([1, 2, 3]), WAIT);
    expect(errors).toEqual([]);
    expect(server.opened[1]?.from).toBe(2);
  });

  it('keeps retrying while the server is away, then resumes', async () => {
    const server = new FakeServer();
    let refusals = 3;
    const open = server.open;
    server.open = (from) => {
      const subscription = open(from);
      if (refusals-- > 0) process.nextTick(() => subscription.destroy(new UnavailableError(undefined, 'refused')));
      return subscription;
    };
    server.append(2);
    const { seen, errors } = follow(server, 1);
    await vi.waitFor(() => expect(server.opened.length).toBeGreaterThanOrEqual(4), WAIT);
    server.append(1);
    await vi.waitFor(() => expect(seen.slice(-1)).toEqual([3]), WAIT);

    // Refused attempts may deliver what they replayed before failing; the cursor still forbids repeats.
    expect(seen).toEqual([...new Set(seen)].sort((a, b) => a - b));
    expect(seen).toEqual([2, 3]);
    expect(errors).toEqual([]);
  });

  it('fails without retrying on an error another attempt cannot fix', async () => {
    const server = new FakeServer();
    server.append(1);
    const { seen, errors } = follow(server);
    await vi.waitFor(() => expect(seen).toEqual([1]), WAIT);

    const denied = new AccessDeniedError(undefined, 'denied');
    server.drop(denied);
    await vi.waitFor(() => expect(errors).toEqual([denied]), WAIT);
    expect(server.opened).toHaveLength(1);
  });

  it('gives each subscriber its own cursor', async () => {
    const server = new FakeServer();
    server.append(4);
    const first = follow(server, 0);
    const second = follow(server, 2);
    await vi.waitFor(() => expect(first.seen).toEqual([1, 2, 3, 4]), WAIT);
    await vi.waitFor(() => expect(second.seen).toEqual([3, 4]), WAIT);
  });

  it('unsubscribes from the server on unsubscribe and does not reopen', async () => {
    const server = new FakeServer();
    const { subscription } = follow(server);
    await vi.waitFor(() => expect(server.opened).toHaveLength(1), WAIT);
    subscription.unsubscribe();
    await vi.waitFor(() => expect(server.opened[0]?.subscription.unsubscribed).toBe(true), WAIT);
    // A witness subscription opened afterwards shows the server kept running and nothing reopened ours.
    const witness = follow(server);
    server.append(1);
    await vi.waitFor(() => expect(witness.seen).toEqual([1]), WAIT);
    expect(server.opened).toHaveLength(2);
  });
});
