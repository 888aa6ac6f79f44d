import { assertValidEvent, upcastRecorded } from '../domain/schemas.js';
import type { EventStore } from '../eventstore/eventStore.js';
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
 */
export async function replayLog(
  store: EventStore,
  target: ReadModelStore,
  projections: readonly Projection[],
  onProgress: (progress: RebuildProgress) => void = () => undefined,
): Promise<RebuildProgress> {
  const checkpoints = await Promise.all(projections.map((p) => target.checkpoint(p.name)));
  let position = Math.min(...checkpoints);
  const progress: RebuildProgress = { position, head: await store.headPosition(), applied: 0 };
  for (;;) {
    const page = await store.readAll({ after: position, maxCount: PAGE });
    if (page.length === 0) {
      // Caught up with the head read before this page; check once more for appends made meanwhile.
      const head = await store.headPosition();
      if (head <= position) break;
      progress.head = head;
      continue;
    }
    const last = page[page.length - 1]!;
    // Upcast and checked once per page, as the live runner does event by event: both project the same events.
    const events = page.map((recorded) => {
      const event = upcastRecorded(recorded);
      assertValidEvent(event.type, event.data);
      return event;
    });
    for (const [i, projection] of projections.entries()) {
      // After an interrupted run one projection may be a page ahead of another: apply each event once.
      const after = checkpoints[i]!;
      await target.applyBatch(projection.name, last.position, (writer) => {
        for (const event of events) if (event.position > after) projection.apply(event, writer);
      });
      checkpoints[i] = last.position;
    }
    position = last.position;
    progress.position = position;
    progress.head = Math.max(progress.head, position);
    progress.applied += page.length;
    onProgress(progress);
  }
  return progress;
}
