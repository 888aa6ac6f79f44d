import type { EphemeralSignal, RecordedEvent } from './eventStore.js';
import type { SqliteQueries } from './sqliteQueries.js';

const TAIL_PAGE = 1000;

/** What a commit wrote. */
export interface Committed {
  events: boolean;
  signals: boolean;
  /** The events a local commit appended: positions `first`..`last`, all of them (one transaction's are contiguous). */
  appended?: AppendedEvents;
}

export interface AppendedEvents {
  first: number;
  last: number;
  /** Made only when asked: the same events a read of those positions would return. */
  events(): RecordedEvent[];
}
const EVERYTHING: Committed = { events: true, signals: true };

type OnEvent = (event: RecordedEvent) => void;
type OnSignal = (signal: EphemeralSignal, id: number) => void;

/**
 * The one reader of new rows per store instance. It remembers the newest
 * position it dispatched (`position`): a subscriber that has caught up to it
 * and then follows the tail, in the same synchronous step, misses nothing.
 * Positions are assigned under SQLite's single write lock, so they commit in
 * order and "position > head" never skips a row committed later.
 *
 * Local commits call `readNew()` directly; commits by other processes are
 * noticed by polling `PRAGMA data_version`, only while someone follows.
 */
export class SqliteTail {
  private eventsHead: number;
  private signalsHead: number;
  private readonly allListeners = new Set<OnEvent>();
  private readonly streamListeners = new Map<string, Set<OnEvent>>();
  private readonly channelListeners = new Map<string, Set<OnSignal>>();
  private eventListenerCount = 0;
  private signalListenerCount = 0;
  private poller: NodeJS.Timeout | undefined;
  private dataVersion = 0;
  private reading = false;
  private readAgain = false;
  private pendingPage: NodeJS.Immediate | undefined;

  constructor(
    private readonly queries: SqliteQueries,
    private readonly pollIntervalMs: number,
    /** A read failed outside any caller (timer): followers cannot be served any more. */
    private readonly onBackgroundError: (error: unknown) => void,
  ) {
    this.eventsHead = queries.headPosition();
    this.signalsHead = queries.lastSignalId();
  }

  /** Newest position dispatched to followers. */
  get position(): number {
    return this.eventsHead;
  }

  followAll(listener: OnEvent): () => void {
    return this.follow(this.allListeners, listener);
  }

  followStream(stream: string, listener: OnEvent): () => void {
    return this.follow(listenersOf(this.streamListeners, stream), listener, () => {
      if (this.streamListeners.get(stream)?.size === 0) this.streamListeners.delete(stream);
    });
  }

  /** Signals with an id above the newest one stored when following starts. */
  followChannel(channel: string, listener: (signal: EphemeralSignal) => void): () => void {
    const newest = this.queries.lastSignalId();
    // Nobody else follows: skip straight past old rows instead of reading them later.
    if (this.signalListenerCount === 0) this.signalsHead = Math.max(this.signalsHead, newest);
    const listeners = listenersOf(this.channelListeners, channel);
    const filtered: OnSignal = (signal, id) => {
      if (id > newest) listener(signal);
    };
    listeners.add(filtered);
    this.signalListenerCount++;
    this.updatePolling();
    return () => {
      if (!listeners.delete(filtered)) return;
      if (listeners.size === 0) this.channelListeners.delete(channel);
      this.signalListenerCount--;
      this.updatePolling();
    };
  }

  /**
   * Read rows committed since the last read and dispatch them. A local commit
   * says what it wrote (`committed`), and only that is read: after a commit by
   * another connection (the writer's is one) a query re-reads every page it
   * touches, so a read that cannot find anything is worth skipping.
   */
  readNew(committed: Committed = EVERYTHING): void {
    // A listener may cause a read (e.g. by subscribing): finish this one first, then read again.
    if (this.reading) {
      this.readAgain = true;
      return;
    }
    this.reading = true;
    try {
      let what = committed;
      do {
        this.readAgain = false;
        // Taken before reading everything: a commit after this point changes the version again, so the poll skips
        // only what this read finds, never what is committed later.
        const version = what === EVERYTHING && this.poller ? this.queries.dataVersion() : null;
        if (what.events) this.readEvents(what.appended);
        if (what.signals) this.readSignals();
        if (version !== null) this.dataVersion = version;
        what = EVERYTHING;
      } while (this.readAgain);
    } finally {
      this.reading = false;
    }
  }

  stop(): void {
    clearInterval(this.poller);
    clearImmediate(this.pendingPage);
    this.poller = undefined;
    this.allListeners.clear();
    this.streamListeners.clear();
    this.channelListeners.clear();
    this.eventListenerCount = this.signalListenerCount = 0;
  }

  /**
   * A local commit that directly follows what was dispatched is dispatched from
   * what it appended, without reading it back: on a live server that read was
   * a tenth of the main thread's work per post. Anything else (another
   * process committed in between, a read that must run again) reads the file.
   */
  private readEvents(appended?: AppendedEvents): void {
    const follows = appended !== undefined && appended.first === this.eventsHead + 1;
    if (this.eventListenerCount === 0) {
      this.eventsHead = follows ? appended.last : this.queries.headPosition();
      return;
    }
    const events = follows ? appended.events() : this.queries.allAfter(this.eventsHead, TAIL_PAGE);
    for (const event of events) {
      this.eventsHead = event.position;
      for (const listener of this.allListeners) listener(event);
      const listeners = this.streamListeners.get(event.stream);
      if (listeners) for (const listener of listeners) listener(event);
    }
    // A large burst from another process: let the event loop breathe between pages.
    if (events.length === TAIL_PAGE) this.pendingPage ??= setImmediate(() => {
      this.pendingPage = undefined;
      this.inBackground(() => this.readNew());
    });
  }

  private readSignals(): void {
    if (this.signalListenerCount === 0) return;
    // Signals are capped (see the store), so reading all new ones at once stays bounded.
    let signals;
    do {
      signals = this.queries.signalsAfter(this.signalsHead, TAIL_PAGE);
      for (const { id, signal } of signals) {
        this.signalsHead = id;
        const listeners = this.channelListeners.get(signal.channel);
        if (listeners) for (const listener of listeners) listener(signal, id);
      }
    } while (signals.length === TAIL_PAGE);
  }

  private follow<L>(listeners: Set<L>, listener: L, onEmpty?: () => void): () => void {
    listeners.add(listener);
    this.eventListenerCount++;
    this.updatePolling();
    return () => {
      if (!listeners.delete(listener)) return;
      onEmpty?.();
      this.eventListenerCount--;
      this.updatePolling();
    };
  }

  private updatePolling(): void {
    const following = this.eventListenerCount + this.signalListenerCount > 0;
    if (following && !this.poller) {
      this.dataVersion = this.queries.dataVersion();
      this.poller = setInterval(() => this.inBackground(() => this.poll()), this.pollIntervalMs).unref();
      // Other processes may have committed while nobody polled: the new version baseline would hide that.
      this.readNew();
    } else if (!following && this.poller) {
      clearInterval(this.poller);
      this.poller = undefined;
    }
  }

  private inBackground(read: () => void): void {
    try {
      read();
    } catch (error) {
      this.onBackgroundError(error);
    }
  }

  private poll(): void {
    const version = this.queries.dataVersion();
    if (version === this.dataVersion) return;
    this.dataVersion = version;
    this.readNew();
  }
}

function listenersOf<K, L>(map: Map<K, Set<L>>, key: K): Set<L> {
  let listeners = map.get(key);
  if (!listeners) map.set(key, (listeners = new Set()));
  return listeners;
}
