import { concatMap, filter, finalize, merge, share, type Observable } from 'rxjs';
import { threadStream } from '../domain/thread.js';
import type { EventStore } from '../eventstore/eventStore.js';
import { logItemFor, type LogItem } from './threadEvents.js';
import { typingChannel, typingItems, type TypingItem } from './typing.js';
import type { UserDirectory } from './userDirectory.js';

export type ThreadItem = LogItem | TypingItem;

/**
 * One shared Observable per thread on this node: created by the thread's first
 * socket, torn down with its last. However many sockets a thread has here, it
 * costs one store subscription, one typing subscription, and one encoding of
 * each frame.
 */
export class ThreadStreams {
  private readonly streams = new Map<string, Observable<ThreadItem>>();

  constructor(
    private readonly store: EventStore,
    private readonly users: UserDirectory,
    private readonly typingTimeoutMs: number,
  ) {}

  /**
   * The thread's live items. `seenRevision` must be a revision the caller has
   * already read from the store: a stream created now starts right after it,
   * so a caller that then reads the store up to its end and follows this
   * stream misses nothing.
   */
  live(threadId: string, seenRevision: number): Observable<ThreadItem> {
    const existing = this.streams.get(threadId);
    if (existing) return existing;
    const log$ = this.store.subscribeToStream(threadStream(threadId), { afterRevision: seenRevision }).pipe(
      concatMap((event) => logItemFor(event, this.users)),
      filter((item): item is LogItem => item !== null),
    );
    const typing$ = typingItems(this.store.ephemeral(typingChannel(threadId)), this.typingTimeoutMs);
    const shared: Observable<ThreadItem> = merge(log$, typing$).pipe(
      finalize(() => {
        if (this.streams.get(threadId) === shared) this.streams.delete(threadId);
      }),
      share({ resetOnRefCountZero: true }),
    );
    this.streams.set(threadId, shared);
    return shared;
  }

  /** Threads with at least one socket on this node. */
  get size(): number {
    return this.streams.size;
  }
}
