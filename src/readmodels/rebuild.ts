import { assertValidEvent, upcastRecorded } from '../domain/schemas.js';
import type { EventStore, ProjectedEvent } from '../eventstore/eventStore.js';
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

/**
 * Events per page. Small enough that a page's objects (rows, parsed events, the
 * recorded writes) die in V8's young generation instead of being promoted and
 * collected by a full mark-compact: at 10,000 the collector took a seventh of
 * the main thread's time.
 */
const PAGE = 2000;
/**
 * Events handed to the target and not yet committed, at most. Many pages, so
 * that the main thread keeps reading and projecting while the writer thread
 * starts up (a few hundred milliseconds under tsx) or builds up a lag: at
 * 50,000 the main thread still sat waiting for it, and 100,000 replayed a
 * 200,000-event log faster in 6 of 7 alternating rounds (queued batches are
 * serialized copies, ~30 MB at this size).
 */
const IN_FLIGHT = 100000;

/**
 * Replays the log from each projection's checkpoint in `target` until it has
 * reached the head, page by page, each page committed with its checkpoint (so
 * an interrupted rebuild resumes where it stopped). Pulls rather than
 * subscribes: the store is read exactly as fast as the read model can write.
 *
 * Pipelined: while pages commit, the next ones are read, checked, projected and
 * handed to the target (which applies batches in call order, see
 * `ReadModelStore.applyBatch`), so with a store that writes on another thread
 * (SQLite) reading and writing overlap. At most `inFlight` events (two pages at
 * least) are handed over and not yet committed.
 */
export async function replayLog(
  store: EventStore,
  target: ReadModelStore,
  projections: readonly Projection[],
  onProgress: (progress: RebuildProgress) => void = () => undefined,
  { pageSize = PAGE, inFlight = Math.max(IN_FLIGHT, 2 * pageSize) }: { pageSize?: number; inFlight?: number } = {},
): Promise<RebuildProgress> {
  const checkpoints = await Promise.all(projections.map((p) => target.checkpoint(p.name)));
  const progress: RebuildProgress = { position: Math.min(...checkpoints), head: await store.headPosition(), applied: 0 };

  /** Once every projection's batch of a page up to `last`, of `count` events, has committed. */
  const committedPage = (last: number, count: number) => {
    checkpoints.fill(last);
    progress.position = last;
    progress.head = Math.max(progress.head, last);
    progress.applied += count;
    onProgress(progress);
  };
  /**
   * Hands the page to every projection at once (the target keeps each one's batches in order). Nothing waiting for
   * the commit refers to `events`, so a page's events are garbage as soon as it is handed over, however many pages
   * are in flight: young garbage, which the collector reclaims almost for free.
   */
  const commit = (events: ProjectedEvent[], last: number): Promise<void> => {
    const count = events.length;
    // Settled, every one of them, before the page counts as failed: a failure must not return while a batch is still being written.
    return Promise.allSettled(handOver(target, projections, checkpoints, events, last)).then((results) => {
      for (const result of results) if (result.status === 'rejected') throw result.reason;
      committedPage(last, count);
    });
  };

  /** Pages handed to the target and not yet awaited, oldest first (the target commits them in this order). */
  const committing: { done: Promise<void>; events: number }[] = [];
  let handedOver = 0;
  /** Waits for the oldest page handed over. */
  const committed = async () => {
    const page = committing.shift()!;
    handedOver -= page.events;
    await page.done;
  };
  let read = progress.position;
  /** Whether an error thrown now is a page's commit failing (rather than reading or checking the next one). */
  let waitingForCommit = false;
  try {
    for (;;) {
      const page = await store.readAllForProjection({ after: read, maxCount: pageSize });
      if (page.length === 0) {
        waitingForCommit = true;
        while (committing.length > 0) await committed();
        waitingForCommit = false;
        // Caught up with the head read before this page; check once more for appends made meanwhile.
        const head = await store.headPosition();
        if (head <= read) break;
        progress.head = head;
        continue;
      }
      // Upcast and checked once per page, as the live runner does event by event: both project the same events.
      for (let i = 0; i < page.length; i++) {
        const event = upcastRecorded(page[i]!);
        assertValidEvent(event.type, event.data);
        page[i] = event;
      }
      read = page[page.length - 1]!.position;
      const done = commit(page, read);
      // Handled here so that a failure while the next page is read is not an unhandled rejection; awaited below or later.
      done.catch(() => undefined);
      committing.push({ done, events: page.length });
      handedOver += page.length;
      waitingForCommit = true;
      while (handedOver > inFlight - pageSize) await committed();
      waitingForCommit = false;
    }
  } catch (error) {
    // Never return while a page is still being written: the caller may close the target next. The oldest page that
    // failed to commit holds earlier events than any page after it, or one that failed its checks: its error is the
    // one to report (the target refuses the pages after it, with errors of their own).
    const failures: unknown[] = waitingForCommit ? [error] : [];
    for (const page of committing.splice(0)) await page.done.catch((commitError: unknown) => void failures.push(commitError));
    throw failures.length > 0 ? failures[0] : error;
  }
  return progress;
}

/** Each projection's batch of `events`, handed to `target`; a projection's events at or below its checkpoint are skipped. */
function handOver(
  target: ReadModelStore,
  projections: readonly Projection[],
  checkpoints: readonly number[],
  events: readonly ProjectedEvent[],
  last: number,
): Promise<void>[] {
  return projections.map((projection, i) => {
    // After an interrupted run one projection may be a page ahead of another: apply each event once.
    const after = checkpoints[i]!;
    return target.applyBatch(projection.name, last, (writer) => {
      for (const event of events) if (event.position > after) projection.apply(event, writer);
    });
  });
}
