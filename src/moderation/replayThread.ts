import { toDomainEvent } from '../commands/aggregates.js';
import { threadDecider, threadStream, type ActiveThread, type ThreadEvent, type ThreadState } from '../domain/thread.js';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore.js';

/** Where to stop: after the event at `seq`, or after the last event that occurred at or before `at`; null is now. */
export type ReplayPoint = { seq: number } | { at: Date } | null;

/** What members saw of a message, as the read models show it: the text goes at redaction. */
export interface ReplayedMessage {
  id: string;
  authorId: string;
  content: string | null;
  createdAt: string;
  seq: number;
  position: number;
  redactedBy: string | null;
  redactedAt: string | null;
}

export interface ThreadReplay {
  /** The write side's own state at that point: title, visibility, members and roles, which messages exist and are redacted. */
  thread: ActiveThread;
  /** The newest `keepMessages` messages, oldest first, with what the read models add (text, times). */
  messages: ReplayedMessage[];
  /** How many messages the thread had by then. */
  messageCount: number;
  joinedAt: ReadonlyMap<string, string>;
  createdAt: string;
  lastActivityAt: string;
  /** The last event folded in. */
  last: { seq: number; position: number; occurredAt: string };
}

const PAGE = 500;

const reached = (point: ReplayPoint, event: RecordedEvent) =>
  point !== null && ('seq' in point ? event.revision > point.seq : Date.parse(event.metadata.occurredAt) > point.at.getTime());

/**
 * The read side's small fold beside the write side's evolve: message text and
 * the times the API shows. It keeps only the newest `keep` messages, so a
 * replay's memory is bounded by what it answers, not by the thread's length.
 */
class ReadSideFold {
  readonly recent = new Map<string, ReplayedMessage>();
  readonly joinedAt = new Map<string, string>();
  createdAt = '';
  lastActivityAt = '';

  constructor(private readonly keep: number) {}

  apply(event: ThreadEvent, recorded: RecordedEvent): void {
    const at = recorded.metadata.occurredAt;
    switch (event.type) {
      case 'ThreadCreated':
        this.createdAt = at;
        this.lastActivityAt = at;
        return;
      case 'MemberJoined':
        this.joinedAt.set(event.data.userId, at);
        this.touch(at);
        return;
      case 'MemberLeft':
      case 'MemberRemoved':
        this.joinedAt.delete(event.data.userId);
        return;
      case 'MessagePosted': {
        const { messageId, authorId, content } = event.data;
        const message = { id: messageId, authorId, content, createdAt: at, seq: recorded.revision, position: recorded.position };
        this.recent.set(messageId, { ...message, redactedBy: null, redactedAt: null });
        if (this.recent.size > this.keep) this.recent.delete(this.recent.keys().next().value!);
        this.touch(at);
        return;
      }
      case 'MessageRedacted': {
        const message = this.recent.get(event.data.messageId);
        if (message) this.recent.set(message.id, { ...message, content: null, redactedBy: event.data.by, redactedAt: at });
        return;
      }
      default:
        return;
    }
  }

  private touch(at: string): void {
    if (at > this.lastActivityAt) this.lastActivityAt = at;
  }
}

/**
 * The thread as it stood at `point`, by folding its events with the same
 * `threadDecider.evolve` the command handlers use. Reads the stream in pages
 * and stops at the first event past the point. Null when the thread did not
 * exist yet (or at all).
 */
export async function replayThread(
  store: EventStore,
  threadId: string,
  point: ReplayPoint,
  options: { keepMessages: number },
): Promise<ThreadReplay | null> {
  let state: ThreadState = threadDecider.initialState();
  const readSide = new ReadSideFold(options.keepMessages);
  let last: RecordedEvent | null = null;
  for (let from = 0; ; from += PAGE) {
    const page = await store.readStream(threadStream(threadId), { fromRevision: from, maxCount: PAGE });
    for (const recorded of page) {
      if (reached(point, recorded)) return finish(state, readSide, last);
      const event = toDomainEvent<ThreadEvent>(recorded);
      state = threadDecider.evolve(state, event);
      readSide.apply(event, recorded);
      last = recorded;
    }
    if (page.length < PAGE) return finish(state, readSide, last);
  }
}

function finish(state: ThreadState, readSide: ReadSideFold, last: RecordedEvent | null): ThreadReplay | null {
  if (state.status !== 'active' || last === null) return null;
  return {
    thread: state,
    messages: [...readSide.recent.values()],
    messageCount: state.messages.size,
    joinedAt: readSide.joinedAt,
    createdAt: readSide.createdAt,
    lastActivityAt: readSide.lastActivityAt,
    last: { seq: last.revision, position: last.position, occurredAt: last.metadata.occurredAt },
  };
}
