import { assertValidEvent, upcastRecorded } from '../domain/schemas.js';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore.js';
import type { Projection } from '../projections/chatProjection.js';
import type { ReadModelStore } from './readModelStore.js';

export interface RebuildProgress {
  /** Position of the last event applied. */
  position: number;
  /** Head of the log when last read: the position that counts as caught up. */
  head: number;
  /** Events applied so far by this run. */
  applied: number;
}

const PAGE = 10000;

/**
 * Replays the log from each projection's checkpoint in `target` until it has
 * reached the head, page by page, each page committed with its checkpoint (so
 * an interrupted rebuild resumes where it stopped). Pulls rather than
 * subscribes: the store is read exactly as fast as the read model can write.
 *
 * Pipelined: while a page commits, the next one is read, checked, projected and
 * handed to the target (which applies batches in call order, see
 * `ReadModelStore.applyBatch`), so with a store that writes on another thread
 * (SQLite) reading and writing overlap. At most two pages are in flight.
 */
export async function replayLog(
  store: EventStore,
  target: ReadModelStore,
  projections: readonly Projection[],
  onProgress: (progress: RebuildProgress) => void = () => undefined,
  { pageSize = PAGE }: { pageSize?: number } = {},
): Promise<RebuildProgress> {
  const checkpoints = await Promise.all(projections.map((p) => target.checkpoint(p.name)));
  const progress: RebuildProgress = { position: Math.min(...checkpoints), head: await store.headPosition(), applied: 0 };

  const commit = async (events: RecordedEvent[], last: number) => {
    for (const [i, projection] of projections.entries()) {
      // After an interrupted run one projection may be a page ahead of another: apply each event once.
      const after = checkpoints[i]!;
      await target.applyBatch(projection.name, last, (writer) => {
        for (const event of events) if (event.position > after) projection.apply(event, writer);
      });
      checkpoints[i] = last;
    }
    progress.position = last;
    progress.head = Math.max(progress.head, last);
    progress.applied += events.length;
    onProgress(progress);
  };

  /** The last page handed to the target: the next page is handed over before this one is waited for. */
  let committing: Promise<void> = Promise.resolve();
  let read = progress.position;
  /** Whether an error thrown now is a page's commit failing (rather than reading or checking the next one). */
  let waitingForCommit = false;
  try {
    for (;;) {
      const page = await store.readAll({ after: read, maxCount: pageSize });
      if (page.length === 0) {
        waitingForCommit = true;
        await committing;
        waitingForCommit = false;
        // Caught up with the head read before this page; check once more for appends made meanwhile.
        const head = await store.headPosition();
        if (head <= read) break;
        progress.head = head;
        continue;
      }
      // Upcast and checked once per page, as the live runner does event by event: both project the same events.
      const events = page.map((recorded) => {
        const event = upcastRecorded(recorded);
        assertValidEvent(event.type, event.data);
        return event;
      });
      read = page[page.length - 1]!.position;
      const previous = committing;
      committing = commit(events, read);
      // Handled here so that a failure while the next page is read is not an unhandled rejection; awaited below or next time round.
      committing.catch(() => undefined);
      waitingForCommit = true;
      await previous;
      waitingForCommit = false;
    }
  } catch (error) {
    // Never return while a page is still being written: the caller may close the target next. A page that
    // failed to commit holds earlier events than one that failed its checks, so its error is the one to report.
    const inFlight = await committing.then(
      () => null,
      (commitError: unknown) => commitError,
    );
    throw !waitingForCommit && inFlight !== null ? inFlight : error;
  }
  return progress;
}
