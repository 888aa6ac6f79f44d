import { upcast } from '../domain/schemas.js';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore.js';
import { isInFeed, toFeedEvent, type FeedEvent } from './feedEvent.js';
import type { RedactionIndex } from './redactionIndex.js';

export interface FeedFilter {
  /** Only these event types. */
  types?: ReadonlySet<string>;
  /** Only events about this thread (their data names it as `threadId`). */
  threadId?: string;
}

export interface FeedPage {
  events: FeedEvent[];
  /** Pass it back as the next `from_position`: every event up to it was examined. */
  nextPosition: number;
}

/** How many events one page may examine when a filter matches few of them. */
const SCAN_BUDGET = 10_000;
const SCAN_PAGE = 1000;

export const parseFilter = (query: { types?: string; thread?: string }): FeedFilter => ({
  types: query.types
    ? new Set(
        query.types
          .split(',')
          .map((t) => t.trim())
          .filter(Boolean),
      )
    : undefined,
  threadId: query.thread || undefined,
});

function matches(event: RecordedEvent, filter: FeedFilter): boolean {
  if (!isInFeed(event.type)) return false;
  if (filter.types && !filter.types.has(event.type)) return false;
  if (filter.threadId === undefined) return true;
  // Upcast first: old thread events carried their thread only in the stream name.
  const data = upcast({ ...event, schemaVersion: event.metadata.schemaVersion }) as { threadId?: unknown };
  return data.threadId === filter.threadId;
}

/**
 * Up to `limit` feed events after `after`, in log order. The same position
 * always yields the same events (redacted text aside), so pages never overlap
 * or skip; with a filter, `nextPosition` may run past the last event returned.
 */
export async function readFeedPage(
  store: EventStore,
  redactions: RedactionIndex,
  options: { after: number; limit: number; filter?: FeedFilter },
): Promise<FeedPage> {
  const filter = options.filter ?? {};
  const filtered = filter.types !== undefined || filter.threadId !== undefined;
  const selected: RecordedEvent[] = [];
  let cursor = options.after;
  let examined = 0;
  scan: for (;;) {
    const wanted = filtered ? SCAN_PAGE : options.limit - selected.length;
    const batch = await store.readAll({ after: cursor, maxCount: wanted });
    for (const event of batch) {
      cursor = event.position;
      examined++;
      if (matches(event, filter) && selected.push(event) === options.limit) break scan;
      if (examined >= SCAN_BUDGET) break scan;
    }
    if (batch.length < wanted) break;
  }
  // Redactions recorded up to now, which includes every one up to the page's end.
  if (selected.some((e) => e.type === 'MessagePosted')) await redactions.catchUp();
  const events = selected.map((e) => toFeedEvent(e, (id) => redactions.has(id))).filter((e): e is FeedEvent => e !== null);
  return { events, nextPosition: cursor };
}
