import type { Observable } from 'rxjs';

/**
 * The event-store port. Two adapters implement it: SQLite (embedded default,
 * `sqliteEventStore.ts`) and EventStoreDB (`esdbEventStore.ts`). Both run the
 * same contract suite (`tests/contracts/eventStoreContract.ts`).
 *
 * Revisions are per stream and start at 0 (EventStoreDB's convention).
 * Positions are global, strictly increasing along `$all`, and opaque apart from
 * their order: SQLite's are dense (1, 2, 3…), EventStoreDB's are commit
 * positions with gaps. Position 0 means "before the first event".
 */
export type ExpectedRevision = 'no_stream' | 'stream_exists' | 'any' | number;

export interface EventMetadata {
  actorId: string | null;
  correlationId: string;
  causationId: string | null;
  occurredAt: string;
  schemaVersion: number;
}

export interface EventToAppend {
  /** UUID. Re-appending an event whose id is already in the stream is a no-op. */
  id: string;
  type: string;
  data: unknown;
  metadata: EventMetadata;
}

export interface RecordedEvent {
  id: string;
  stream: string;
  type: string;
  revision: number;
  position: number;
  data: unknown;
  metadata: EventMetadata;
  /** When the store recorded it (ISO 8601). */
  recordedAt: string;
}

/**
 * What a projection reads of a recorded event. A rebuild reads every event of
 * the log once, and skipping the rest (`readAllForProjection`) saves the SQLite
 * adapter a quarter of its reading.
 */
export type ProjectedEvent = Omit<RecordedEvent, 'id' | 'recordedAt'>;

export interface AppendResult {
  /** Revision of the last event now in the stream. */
  nextRevision: number;
  /** Global position of the last appended (or already present) event. */
  position: number;
  /** Set when the events were recorded already (a retried append, matched by event id): nothing was appended. */
  alreadyRecorded?: true;
}

export interface ReadStreamOptions {
  direction?: 'forwards' | 'backwards';
  /** Inclusive start revision; defaults to the stream's start (or end, backwards). */
  fromRevision?: number;
  maxCount?: number;
}

export interface ReadAllOptions {
  /** Exclusive: events with a position greater than this. Defaults to 0. */
  after?: number;
  maxCount?: number;
}

/** An ephemeral signal (typing, presence): never part of any stream, capped, short-lived. */
export interface EphemeralSignal {
  channel: string;
  payload: unknown;
}

export class WrongExpectedVersion extends Error {
  override readonly name = 'WrongExpectedVersion';
  constructor(
    readonly stream: string,
    readonly expected: ExpectedRevision,
    /** -1 when the stream does not exist. */
    readonly actual: number,
  ) {
    super(`stream ${stream}: expected revision ${String(expected)}, actual ${actual}`);
  }
}

/** Whether a stream at revision `actual` (-1: no stream) satisfies `expected`. */
export function revisionMatches(expected: ExpectedRevision, actual: number): boolean {
  switch (expected) {
    case 'any':
      return true;
    case 'no_stream':
      return actual === -1;
    case 'stream_exists':
      return actual >= 0;
    default:
      return expected === actual;
  }
}

export interface EventStore {
  append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult>;
  /** Events of one stream; an unknown stream reads as []. */
  readStream(stream: string, options?: ReadStreamOptions): Promise<RecordedEvent[]>;
  /** Domain events of `$all` in position order (never system or ephemeral ones). */
  readAll(options?: ReadAllOptions): Promise<RecordedEvent[]>;
  /** The same events as `readAll`, with only what projections read of them (an adapter may return more). */
  readAllForProjection(options?: ReadAllOptions): Promise<ProjectedEvent[]>;
  /** Position of the newest event in `$all` (0 when empty). */
  headPosition(): Promise<number>;
  /**
   * Catch up from `afterRevision` (exclusive; omitted = from the start, -1 also
   * means from the start), then go live. No gap and no duplicate at the switch,
   * including events appended by another process sharing the store.
   */
  subscribeToStream(stream: string, options?: { afterRevision?: number }): Observable<RecordedEvent>;
  /** Same as subscribeToStream, over `$all`, from a position (exclusive). */
  subscribeToAll(options?: { after?: number }): Observable<RecordedEvent>;
  /** Publish an ephemeral signal to every node following `channel`. */
  publishEphemeral(channel: string, payload: unknown): Promise<void>;
  /** Ephemeral signals published on `channel` from now on (by any node). */
  ephemeral(channel: string): Observable<EphemeralSignal>;
  close(): Promise<void>;
}
