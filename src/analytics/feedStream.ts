import type { ServerResponse } from 'node:http';
import { once } from 'node:events';
import type { EventStore } from '../eventstore/eventStore.js';
import { feedEventsSent, feedStreamsDropped, feedStreamsOpen } from '../metrics/metrics.js';
import type { FeedEvent } from './feedEvent.js';
import { readFeedPage, type FeedFilter } from './feedReader.js';
import type { NewEvents } from './newEvents.js';
import type { RedactionIndex } from './redactionIndex.js';

export interface FeedStreamDeps {
  store: EventStore;
  redactions: RedactionIndex;
  newEvents: NewEvents;
}

export interface FeedStreamOptions {
  after: number;
  filter: FeedFilter;
  heartbeatMs: number;
  /** A write that has not drained after this long means the client is not reading: drop it. */
  stallTimeoutMs: number;
  /** Ends the stream (server shutting down). */
  signal: AbortSignal;
}

const PAGE = 500;

export const sseFrame = (event: FeedEvent) => `id: ${event.position}\ndata: ${JSON.stringify(event)}\n\n`;

/** Resolves true once `res` has drained, false if it did not within `timeoutMs` or the stream ended. */
async function drained(res: ServerResponse, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  const timeout = AbortSignal.timeout(timeoutMs);
  try {
    await once(res, 'drain', { signal: AbortSignal.any([timeout, signal]) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Serves the feed as Server-Sent Events on an open response: every event after
 * `after` in log order, then new ones as they are appended. Each frame's `id`
 * is the event's position, so a client reconnecting with `Last-Event-ID`
 * resumes exactly after the last event it received.
 *
 * Pull, not push: the next page is read from the log only once the previous one
 * was handed to the socket, so a slow client costs one page of memory and is
 * dropped when it stops reading altogether; catching up and following live are
 * the same loop.
 */
export async function streamFeed(res: ServerResponse, deps: FeedStreamDeps, options: FeedStreamOptions): Promise<void> {
  const closed = new AbortController();
  const end = () => closed.abort();
  res.on('close', end);
  options.signal.addEventListener('abort', end, { once: true });
  const release = deps.newEvents.hold();
  let writing = false;
  const heartbeat = setInterval(() => {
    // A comment line: keeps proxies from timing the connection out, and reveals dead peers.
    if (!writing) res.write(': heartbeat\n\n');
  }, options.heartbeatMs);
  feedStreamsOpen.inc();
  let cursor = options.after;
  try {
    res.write('retry: 1000\n\n');
    while (!closed.signal.aborted) {
      const page = await readFeedPage(deps.store, deps.redactions, { after: cursor, limit: PAGE, filter: options.filter });
      if (closed.signal.aborted) break;
      if (page.events.length > 0) {
        writing = true;
        const flushed = res.write(page.events.map(sseFrame).join(''));
        feedEventsSent.inc({ via: 'stream' }, page.events.length);
        if (!flushed && !(await drained(res, options.stallTimeoutMs, closed.signal))) {
          if (!closed.signal.aborted) {
            feedStreamsDropped.inc();
            res.destroy();
          }
          break;
        }
        writing = false;
      }
      if (page.nextPosition === cursor) await deps.newEvents.after(cursor, options.heartbeatMs, closed.signal);
      cursor = page.nextPosition;
    }
  } finally {
    clearInterval(heartbeat);
    release();
    feedStreamsOpen.dec();
    res.off('close', end);
    options.signal.removeEventListener('abort', end);
    if (!res.destroyed) res.end();
  }
}
