import { Observable } from 'rxjs';
import type {
  AppendResult,
  EphemeralSignal,
  EventStore,
  EventToAppend,
  ExpectedRevision,
  ProjectedEvent,
  ReadAllOptions,
  ReadStreamOptions,
  RecordedEvent,
} from './eventStore.js';
import { NO_LIMIT, prepareQueries, type SqliteQueries } from './sqliteQueries.js';
import type Database from 'better-sqlite3';
import { openReader } from './sqliteSchema.js';
import { SqliteTail } from './sqliteTail.js';
import { SqliteWriter } from './sqliteWriter.js';

const CATCH_UP_PAGE = 500;
const DEFAULT_POLL_INTERVAL_MS = 20;
const SIGNAL_MAX_AGE_MS = 60_000;
const SIGNAL_MAX_COUNT = 10_000;
const SIGNAL_PRUNE_EVERY_MS = 5_000;

/** Opens (creating if missing) the embedded event store in `file`. */
export async function openSqliteEventStore(options: { file: string; pollIntervalMs?: number }): Promise<EventStore> {
  return new SqliteEventStore(options.file, options.pollIntervalMs ?? DEFAULT_POLL_INTERVAL_MS);
}

class SqliteEventStore implements EventStore {
  private readonly queries: SqliteQueries;
  private readonly tail: SqliteTail;
  private readonly reader: Database.Database;
  private readonly writer: SqliteWriter;
  /** Open subscriptions, completed on close. */
  private readonly subscribers = new Set<{ complete(): void; error(error: unknown): void }>();
  private lastPrune = 0;
  private closed = false;

  constructor(file: string, pollIntervalMs: number) {
    this.reader = openReader(file);
    this.queries = prepareQueries(this.reader);
    this.tail = new SqliteTail(this.queries, pollIntervalMs, (error) => {
      for (const subscriber of this.subscribers) subscriber.error(error);
    });
    // Followers learn about local commits right away; other processes' through polling.
    this.writer = new SqliteWriter(file, (committed) => this.tail.readNew(committed));
  }

  append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (this.closed) return Promise.reject(new Error('event store is closed'));
    return this.writer.append(stream, events, expected);
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    const maxCount = options.maxCount ?? NO_LIMIT;
    return options.direction === 'backwards'
      ? this.queries.streamBackwards(stream, options.fromRevision ?? Number.MAX_SAFE_INTEGER, maxCount)
      : this.queries.streamForwards(stream, options.fromRevision ?? 0, maxCount);
  }

  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    return this.queries.allAfter(options.after ?? 0, options.maxCount ?? NO_LIMIT);
  }

  async readAllForProjection(options: ReadAllOptions = {}): Promise<ProjectedEvent[]> {
    return this.queries.projectedAfter(options.after ?? 0, options.maxCount ?? NO_LIMIT);
  }

  async headPosition(): Promise<number> {
    return this.queries.headPosition();
  }

  subscribeToStream(stream: string, options: { afterRevision?: number } = {}): Observable<RecordedEvent> {
    return this.catchUpThenLive({
      start: Math.max(options.afterRevision ?? -1, -1),
      cursorOf: (event) => event.revision,
      page: (after, upTo) => this.queries.streamBetween(stream, after, upTo, CATCH_UP_PAGE),
      follow: (listener) => this.tail.followStream(stream, listener),
    });
  }

  subscribeToAll(options: { after?: number } = {}): Observable<RecordedEvent> {
    return this.catchUpThenLive({
      start: options.after ?? 0,
      cursorOf: (event) => event.position,
      page: (after, upTo) => this.queries.allBetween(after, upTo, CATCH_UP_PAGE),
      follow: (listener) => this.tail.followAll(listener),
    });
  }

  async publishEphemeral(channel: string, payload: unknown): Promise<void> {
    if (this.closed) throw new Error('event store is closed');
    const now = Date.now();
    const published = this.writer.signal({ kind: 'signal', channel, payload: JSON.stringify(payload) ?? 'null', at: now });
    if (now - this.lastPrune >= SIGNAL_PRUNE_EVERY_MS) {
      this.lastPrune = now;
      void this.writer.signal({ kind: 'prune', before: now - SIGNAL_MAX_AGE_MS, keep: SIGNAL_MAX_COUNT }).catch(() => undefined);
    }
    await published;
  }

  ephemeral(channel: string): Observable<EphemeralSignal> {
    return new Observable<EphemeralSignal>((subscriber) => {
      if (this.closed) return subscriber.complete();
      this.subscribers.add(subscriber);
      const unfollow = this.tail.followChannel(channel, (signal) => subscriber.next(signal));
      return () => {
        this.subscribers.delete(subscriber);
        unfollow();
      };
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.writer.close();
    for (const subscriber of this.subscribers) subscriber.complete();
    this.tail.stop();
    this.reader.close();
  }

  /**
   * Reads pages from the log up to the tail's position, yielding to the event
   * loop between pages, then follows the tail in the same synchronous step as
   * the last (short) page: the tail dispatches exactly the positions above it.
   * The cursor check is the safety net: nothing at or below the last delivered
   * position (revision, for a stream) is ever emitted again.
   */
  private catchUpThenLive(source: {
    start: number;
    cursorOf: (event: RecordedEvent) => number;
    page: (after: number, upTo: number) => RecordedEvent[];
    follow: (listener: (event: RecordedEvent) => void) => () => void;
  }): Observable<RecordedEvent> {
    return new Observable<RecordedEvent>((subscriber) => {
      if (this.closed) return subscriber.complete();
      this.subscribers.add(subscriber);
      let cursor = source.start;
      let unfollow: (() => void) | undefined;
      let pending: NodeJS.Immediate | undefined;
      const deliver = (event: RecordedEvent) => {
        const at = source.cursorOf(event);
        if (at <= cursor || subscriber.closed) return;
        cursor = at;
        subscriber.next(event);
      };
      const readPage = () => {
        if (subscriber.closed) return;
        const events = source.page(cursor, this.tail.position);
        for (const event of events) deliver(event);
        if (subscriber.closed) return;
        if (events.length === CATCH_UP_PAGE) return readLater();
        unfollow = source.follow(deliver);
        // Following may deliver synchronously, and a subscriber may unsubscribe right then.
        if (subscriber.closed) unfollow();
      };
      // Outside the subscribe call a failed read must reach the subscriber, not crash the process.
      const readLater = () => {
        pending = setImmediate(() => {
          try {
            readPage();
          } catch (error) {
            subscriber.error(error);
          }
        });
      };
      // Refresh the tail first so the catch-up covers what other processes committed meanwhile.
      this.tail.readNew();
      readLater();
      return () => {
        clearImmediate(pending);
        this.subscribers.delete(subscriber);
        unfollow?.();
      };
    });
  }
}
