import {
  ANY,
  BACKWARDS,
  END,
  EventStoreDBClient,
  FORWARDS,
  NO_STREAM,
  START,
  STREAM_EXISTS,
  StreamNotFoundError,
  WrongExpectedVersionError,
  eventTypeFilter,
  jsonEvent,
  type AllStreamResolvedEvent,
  type AppendExpectedRevision,
  type JSONType,
  type Position,
  type ReadPosition,
  type ReadRevision,
  type ResolvedEvent,
  type RecordedEvent as EsdbRecordedEvent,
} from '@eventstore/db-client';
import { Subject, filter, map, takeUntil, type Observable } from 'rxjs';
import {
  revisionMatches,
  WrongExpectedVersion,
  type AppendResult,
  type EphemeralSignal,
  type EventMetadata,
  type EventStore,
  type EventToAppend,
  type ExpectedRevision,
  type ReadAllOptions,
  type ReadStreamOptions,
  type ProjectedEvent,
  type RecordedEvent,
} from './eventStore.js';
import { resumableSubscription } from './esdbSubscription.js';

const EPHEMERAL_PREFIX = 'ephemeral-';
const EPHEMERAL_TYPE = 'ephemeral.signal';
/** Typing and presence are worth seconds: the server may scavenge them after a minute, or past 1000 per channel. */
const EPHEMERAL_METADATA = { maxAge: 60, maxCount: 1000 };
const READ_ALL_PAGE = 512;

/**
 * excludeSystemEvents()'s regex (`^[^$].*`), extended to the ephemeral signals,
 * so the server drops both before they cross the network.
 */
const DOMAIN_EVENTS_ONLY = eventTypeFilter({ regex: '^(?!\\$|ephemeral\\.).*' });

const isDomainEvent = (event: EsdbRecordedEvent) =>
  !event.type.startsWith('$') && !event.streamId.startsWith('$') && !event.streamId.startsWith(EPHEMERAL_PREFIX);

const toExpected = (expected: ExpectedRevision): AppendExpectedRevision => {
  switch (expected) {
    case 'no_stream':
      return NO_STREAM;
    case 'stream_exists':
      return STREAM_EXISTS;
    case 'any':
      return ANY;
    default:
      return BigInt(expected);
  }
};


/** Positions are commit positions: unique per event since v20, and far below 2^53 for any real log. */
const toPosition = (position: number): Position => ({ commit: BigInt(position), prepare: BigInt(position) });
const afterPosition = (position: number): ReadPosition => (position > 0 ? toPosition(position) : START);
const isAfter = (a: Position, b: Position) => a.commit > b.commit || (a.commit === b.commit && a.prepare > b.prepare);

/** Stream reads carry the event's position from server 22.6 on; older servers leave it out (read as 0). */
const NO_POSITION = 2n ** 64n - 1n;
const commitOf = (resolved: { event?: EsdbRecordedEvent; commitPosition?: bigint }): number => {
  const commit = resolved.event?.position?.commit ?? resolved.commitPosition;
  return commit === undefined || commit === NO_POSITION ? 0 : Number(commit);
};

function toRecorded(resolved: { event: EsdbRecordedEvent; commitPosition?: bigint }): RecordedEvent {
  const { event } = resolved;
  return {
    id: event.id,
    stream: event.streamId,
    type: event.type,
    revision: Number(event.revision),
    position: commitOf(resolved),
    data: event.data,
    metadata: event.metadata as unknown as EventMetadata,
    recordedAt: event.created.toISOString(),
  };
}

/** Link events aside (we never resolve links), every resolved event carries its event. */
const hasEvent = <R extends { event?: EsdbRecordedEvent }>(resolved: R): resolved is R & { event: NonNullable<R['event']> } =>
  resolved.event !== undefined;

/** Connects to EventStoreDB, e.g. `esdb://localhost:2113?tls=false`, and checks it answers. */
export async function openEsdbEventStore(url: string): Promise<EventStore> {
  const client = EventStoreDBClient.connectionString(url);
  try {
    await collect(client.readAll({ direction: BACKWARDS, fromPosition: END, maxCount: 1 }));
  } catch (error) {
    await client.dispose();
    throw error;
  }
  return new EsdbEventStore(client);
}

async function collect<T>(read: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of read) items.push(item);
  return items;
}

class EsdbEventStore implements EventStore {
  private readonly closing = new Subject<void>();
  /** Channels whose transient stream already carries its metadata, set once per process. */
  private readonly ephemeralStreams = new Map<string, Promise<void>>();

  constructor(private readonly client: EventStoreDBClient) {}

  async append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    if (events.length === 0) return this.checkOnly(stream, expected);
    try {
      // The server makes a retried append with the same event ids a no-op.
      const result = await this.client.appendToStream(
        stream,
        events.map((e) => jsonEvent({ id: e.id, type: e.type, data: (e.data ?? null) as JSONType, metadata: { ...e.metadata } })),
        { expectedRevision: toExpected(expected) },
      );
      const nextRevision = Number(result.nextExpectedRevision);
      // An idempotent (already recorded) append comes back without a position: look the event up.
      const commit = result.position?.commit;
      if (commit !== undefined && commit !== NO_POSITION) return { nextRevision, position: Number(commit) };
      return { nextRevision, position: await this.positionOf(stream, nextRevision), alreadyRecorded: true };
    } catch (error) {
      if (error instanceof WrongExpectedVersionError) {
        const actual = error.actualVersion === NO_STREAM ? -1 : Number(error.actualVersion);
        throw new WrongExpectedVersion(stream, expected, actual);
      }
      throw error;
    }
  }

  async readStream(stream: string, options: ReadStreamOptions = {}): Promise<RecordedEvent[]> {
    if (options.maxCount === 0) return [];
    const backwards = options.direction === 'backwards';
    try {
      const read = this.client.readStream(stream, {
        direction: backwards ? BACKWARDS : FORWARDS,
        fromRevision: options.fromRevision === undefined ? (backwards ? END : START) : BigInt(Math.max(options.fromRevision, 0)),
        ...(options.maxCount === undefined ? {} : { maxCount: options.maxCount }),
      });
      return (await collect(read)).filter(hasEvent).map(toRecorded);
    } catch (error) {
      if (error instanceof StreamNotFoundError) return [];
      throw error;
    }
  }

  /**
   * `$all` reads take no server-side filter in this client, so pages are read
   * and filtered here until `maxCount` domain events are found or the log ends.
   */
  async readAll(options: ReadAllOptions = {}): Promise<RecordedEvent[]> {
    const after = options.after ?? 0;
    const wanted = options.maxCount ?? Number.POSITIVE_INFINITY;
    const found: RecordedEvent[] = [];
    let last: Position = toPosition(after);
    for (let from = afterPosition(after); found.length < wanted; from = last) {
      const page = await collect(this.client.readAll({ fromPosition: from, maxCount: READ_ALL_PAGE }));
      for (const { event } of page) {
        // Reads from a position include it; the port's `after` and our paging exclude it.
        if (!event || !isAfter(event.position, last)) continue;
        last = event.position;
        if (isDomainEvent(event)) found.push(toRecorded({ event }));
        if (found.length === wanted) break;
      }
      if (page.length < READ_ALL_PAGE) break;
    }
    return found;
  }

  /** The server sends whole events: nothing to skip. */
  readAllForProjection(options: ReadAllOptions = {}): Promise<ProjectedEvent[]> {
    return this.readAll(options);
  }

  async headPosition(): Promise<number> {
    let before: Position | undefined;
    for (let from: ReadPosition = END; ; from = before ?? END) {
      const page = await collect(this.client.readAll({ direction: BACKWARDS, fromPosition: from, maxCount: READ_ALL_PAGE }));
      for (const { event } of page) {
        if (!event || (before && !isAfter(before, event.position))) continue;
        if (isDomainEvent(event)) return Number(event.position.commit);
        before = event.position;
      }
      if (page.length < READ_ALL_PAGE || !before) return 0;
    }
  }

  subscribeToStream(stream: string, options: { afterRevision?: number } = {}): Observable<RecordedEvent> {
    const afterRevision = options.afterRevision ?? -1;
    return resumableSubscription<ResolvedEvent, ReadRevision>({
      start: afterRevision >= 0 ? BigInt(afterRevision) : START,
      open: (fromRevision) => this.client.subscribeToStream(stream, { fromRevision }),
      cursorOf: (resolved) => resolved.event?.revision,
    }).pipe(
      filter(hasEvent),
      filter((resolved) => !resolved.event.type.startsWith('$')),
      map(toRecorded),
      takeUntil(this.closing),
    );
  }

  subscribeToAll(options: { after?: number } = {}): Observable<RecordedEvent> {
    return resumableSubscription<AllStreamResolvedEvent, ReadPosition>({
      start: afterPosition(options.after ?? 0),
      open: (fromPosition) => this.client.subscribeToAll({ fromPosition, filter: DOMAIN_EVENTS_ONLY }),
      cursorOf: (resolved) => resolved.event?.position,
    }).pipe(
      filter(hasEvent),
      filter((resolved) => isDomainEvent(resolved.event)),
      map(toRecorded),
      takeUntil(this.closing),
    );
  }

  async publishEphemeral(channel: string, payload: unknown): Promise<void> {
    const stream = EPHEMERAL_PREFIX + channel;
    await this.ensureTransient(stream);
    await this.client.appendToStream(stream, jsonEvent({ type: EPHEMERAL_TYPE, data: (payload ?? null) as JSONType }));
  }

  ephemeral(channel: string): Observable<EphemeralSignal> {
    return resumableSubscription<ResolvedEvent, ReadRevision>({
      // From the end: signals published before the subscription are stale by definition.
      start: END,
      open: (fromRevision) => this.client.subscribeToStream(EPHEMERAL_PREFIX + channel, { fromRevision }),
      cursorOf: (resolved) => resolved.event?.revision,
    }).pipe(
      filter(hasEvent),
      filter((resolved) => resolved.event.type === EPHEMERAL_TYPE),
      map((resolved) => ({ channel, payload: resolved.event.data })),
      takeUntil(this.closing),
    );
  }

  async close(): Promise<void> {
    this.closing.next();
    this.closing.complete();
    await this.client.dispose();
  }

  /** An empty append writes nothing; it only answers whether `expected` holds. */
  private async checkOnly(stream: string, expected: ExpectedRevision): Promise<AppendResult> {
    const [head] = await this.readStream(stream, { direction: 'backwards', maxCount: 1 });
    const actual = head?.revision ?? -1;
    if (!revisionMatches(expected, actual)) throw new WrongExpectedVersion(stream, expected, actual);
    return { nextRevision: actual, position: head?.position ?? 0 };
  }

  private async positionOf(stream: string, revision: number): Promise<number> {
    const [event] = await this.readStream(stream, { fromRevision: revision, maxCount: 1 });
    return event?.position ?? 0;
  }

  private ensureTransient(stream: string): Promise<void> {
    let ready = this.ephemeralStreams.get(stream);
    if (!ready) {
      ready = this.client
        .getStreamMetadata(stream)
        .then(async ({ metadata }) => {
          if (metadata?.maxAge === EPHEMERAL_METADATA.maxAge && metadata.maxCount === EPHEMERAL_METADATA.maxCount) return;
          await this.client.setStreamMetadata(stream, EPHEMERAL_METADATA);
        })
        .catch((error: unknown) => {
          // Try again on the next publish rather than remember a failure.
          this.ephemeralStreams.delete(stream);
          throw error;
        });
      this.ephemeralStreams.set(stream, ready);
    }
    return ready;
  }
}
