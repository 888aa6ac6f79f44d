import type { EventStore } from '../eventstore/eventStore.js';

export interface Lag {
  /** Events in the log after the projection's position, counted up to `cap`. */
  events: number;
  /** Age of the oldest event the projection has not applied yet; 0 when caught up. */
  seconds: number;
}

/**
 * Counted from the log rather than subtracted from positions: positions are
 * opaque (EventStoreDB's have gaps), and the cap bounds the cost of asking.
 */
export async function measureLag(store: EventStore, position: number, cap: number): Promise<Lag> {
  const pending = await store.readAll({ after: position, maxCount: cap });
  const oldest = pending[0];
  const seconds = oldest ? Math.max(0, (Date.now() - Date.parse(oldest.recordedAt)) / 1000) : 0;
  return { events: pending.length, seconds };
}

/** The count at which lag stops being counted exactly. */
export const LAG_COUNT_CAP = 10_000;
