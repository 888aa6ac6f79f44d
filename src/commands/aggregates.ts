import type { Subscription } from 'rxjs';
import type { Decider } from '../domain/decider.js';
import { upcastRecorded } from '../domain/schemas.js';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore.js';

export interface Loaded<S> {
  state: S;
  /** Revision of the last event folded in; -1 for a stream that does not exist. */
  revision: number;
  /** true when `current` answered from the cache without reading the store. */
  cached?: boolean;
}

interface Entry {
  state: unknown;
  revision: number;
  /** Newest revision of the stream seen in the followed log: above `revision`, the fold is behind. */
  seen: number;
}

/**
 * Folds streams into write-model states, keeping the newest fold of the most
 * recently used streams so a command on a long thread reads only the events
 * appended since, not the whole stream. `load` always reads the store before
 * answering, so appends by other processes are never missed; `current` skips
 * that read while the loader follows the log (see `follow`).
 */
export class AggregateLoader {
  private readonly cache = new Map<string, Entry>();
  /**
   * The newest revision the followed log has shown of each recently active
   * stream, cached or not. A read and the live feed race: on an asynchronous
   * store (EventStoreDB) the feed may deliver an event before a read that started
   * earlier returns without it. The fold that read makes is then behind from the
   * start, and only this record, not its cache entry (made after the event went
   * by), knows. Bounded like the cache: a race lasts one read.
   */
  private readonly observed = new Map<string, number>();
  /** Per stream, the end of the chain of command cycles running on it in this process. */
  private readonly running = new Map<string, Promise<unknown>>();
  private following: Subscription | null = null;

  constructor(
    private readonly store: EventStore,
    private readonly maxEntries = 10_000,
  ) {}

  /**
   * Follows the log from its head, marking a cached fold behind as soon as a
   * newer event of its stream is seen, whoever appended it. From then on
   * `current` answers from the cache without a read. That read is worth saving:
   * after a commit by another connection (the writer's is one), SQLite
   * re-reads every page a query touches, and a post needed two (its author for
   * authentication, its thread for the command).
   */
  async follow(): Promise<void> {
    if (this.following) return;
    const head = await this.store.headPosition();
    // A fold cached before the head was read may be missing events below it.
    this.cache.clear();
    this.observed.clear();
    this.following = this.store.subscribeToAll({ after: head }).subscribe({
      next: (event) => this.observe(event),
      error: () => this.unfollow(),
      complete: () => this.unfollow(),
    });
  }

  /** Stops following: `current` reads the store again, as `load` does. */
  unfollow(): void {
    this.following?.unsubscribe();
    this.following = null;
  }

  /**
   * The stream's state as this process knows it: from the cache, without a
   * read, while the loader follows the log and no newer event has been seen.
   * An append by another process reaches this process within the store's
   * polling interval, so a decision on this state must either be checked by an
   * append's expected revision (handleCommand) or tolerate that delay
   * (authentication).
   */
  async current<S, E>(stream: string, decider: Pick<Decider<S, unknown, E>, 'evolve' | 'initialState'>): Promise<Loaded<S>> {
    const entry = this.following ? this.cache.get(stream) : undefined;
    if (entry && entry.seen <= entry.revision) {
      return { state: entry.state as S, revision: entry.revision, cached: true };
    }
    return this.load(stream, decider);
  }

  /** The stream's state after reading every event appended since the cached fold. */
  async load<S, E>(stream: string, decider: Pick<Decider<S, unknown, E>, 'evolve' | 'initialState'>): Promise<Loaded<S>> {
    const cached = this.cache.get(stream);
    const from: Loaded<S> = cached ? { state: cached.state as S, revision: cached.revision } : { state: decider.initialState(), revision: -1 };
    const events = await this.store.readStream(stream, { fromRevision: from.revision + 1 });
    const loaded = events.length === 0 ? from : this.fold(from, events, decider);
    if (loaded.revision >= 0) {
      const seen = Math.max(loaded.revision, this.cache.get(stream)?.seen ?? -1, this.observed.get(stream) ?? -1);
      this.put(stream, { state: loaded.state, revision: loaded.revision, seen });
    }
    return loaded;
  }

  /**
   * Runs `cycle` once every earlier cycle on `stream` in this process has
   * finished. Two commands on one stream would otherwise both read revision r
   * and one of them lose at the append; with group commits, a hot thread lost
   * that race over and over, until retries ran out. Other processes still race, and the retry in handleCommand covers them.
   */
  exclusive<T>(stream: string, cycle: () => Promise<T>): Promise<T> {
    const previous = this.running.get(stream);
    const result = previous ? previous.then(cycle, cycle) : cycle();
    const done = result.then(
      () => undefined,
      () => undefined,
    );
    this.running.set(stream, done);
    void done.then(() => {
      if (this.running.get(stream) === done) this.running.delete(stream);
    });
    return result;
  }

  /**
   * Records the state after a successful append, so the next command starts
   * there. Only a stream read before (it was, to decide) is updated: a fold
   * made without a read never starts a cache entry.
   */
  remember<S>(stream: string, loaded: Loaded<S>): void {
    const entry = this.cache.get(stream);
    if (!entry || entry.revision >= loaded.revision) return;
    this.put(stream, { state: loaded.state, revision: loaded.revision, seen: Math.max(entry.seen, loaded.revision) });
  }

  private put(stream: string, entry: Entry): void {
    this.cache.delete(stream);
    this.cache.set(stream, entry);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
  }

  private observe(event: RecordedEvent): void {
    const entry = this.cache.get(event.stream);
    if (entry && event.revision > entry.seen) entry.seen = event.revision;
    this.observed.delete(event.stream);
    this.observed.set(event.stream, event.revision);
    if (this.observed.size > this.maxEntries) this.observed.delete(this.observed.keys().next().value!);
  }

  private fold<S, E>(from: Loaded<S>, events: RecordedEvent[], decider: Pick<Decider<S, unknown, E>, 'evolve'>): Loaded<S> {
    let state = from.state;
    for (const event of events) state = decider.evolve(state, toDomainEvent<E>(event));
    return { state, revision: events[events.length - 1]!.revision };
  }
}

/** An event as the deciders know it: old schema versions are upcast to the current shape first. */
export const toDomainEvent = <E>(event: RecordedEvent): E => {
  const current = upcastRecorded(event);
  return { type: current.type, data: current.data } as E;
};
