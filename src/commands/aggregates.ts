import type { Decider } from '../domain/decider.js';
import { upcastRecorded } from '../domain/schemas.js';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore.js';

export interface Loaded<S> {
  state: S;
  /** Revision of the last event folded in; -1 for a stream that does not exist. */
  revision: number;
}

/**
 * Folds streams into write-model states, keeping the newest fold of the most
 * recently used streams so a command on a long thread reads only the events
 * appended since, not the whole stream. Always reads the store before
 * answering, so appends by other processes are never missed.
 */
export class AggregateLoader {
  private readonly cache = new Map<string, Loaded<unknown>>();
  /** Per stream, the end of the chain of command cycles running on it in this process. */
  private readonly running = new Map<string, Promise<unknown>>();

  constructor(
    private readonly store: EventStore,
    private readonly maxEntries = 10_000,
  ) {}

  async load<S, E>(stream: string, decider: Pick<Decider<S, unknown, E>, 'evolve' | 'initialState'>): Promise<Loaded<S>> {
    const cached = this.cache.get(stream) as Loaded<S> | undefined;
    const from = cached ?? { state: decider.initialState(), revision: -1 };
    const events = await this.store.readStream(stream, { fromRevision: from.revision + 1 });
    const loaded = events.length === 0 ? from : this.fold(from, events, decider);
    this.remember(stream, loaded);
    return loaded;
  }

  /**
   * Runs `cycle` once every earlier cycle on `stream` in this process has
   * finished. Two commands on one stream would otherwise both read revision r
   * and one of them lose at the append; with commits pipelined through the
   * writer thread, a hot thread lost that race over and over, until retries ran
   * out. Other processes still race, and the retry in handleCommand covers them.
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

  /** Records the state after a successful append, so the next load starts there. */
  remember<S>(stream: string, loaded: Loaded<S>): void {
    if (loaded.revision < 0) return;
    this.cache.delete(stream);
    this.cache.set(stream, loaded);
    if (this.cache.size > this.maxEntries) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
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
