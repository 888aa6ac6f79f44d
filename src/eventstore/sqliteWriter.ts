import { WrongExpectedVersion, type AppendResult, type EventMetadata, type EventToAppend, type ExpectedRevision, type RecordedEvent } from './eventStore.js';
import { openCommitter, type Committer, type WireAppend, type WireOutcome, type WireSignalOp, type WriterReply } from './sqliteCommitter.js';
import type { AppendedEvents, Committed } from './sqliteTail.js';

interface PendingAppend {
  append: WireAppend;
  resolve(result: AppendResult): void;
  reject(error: unknown): void;
}

interface PendingSignal {
  op: WireSignalOp;
  resolve(): void;
  reject(error: unknown): void;
}

interface Batch {
  appends: PendingAppend[];
  signals: PendingSignal[];
}

/**
 * Group commit: appends and signals queued during one turn of the event loop
 * share one transaction, hence one fsync, and their promises settle only after
 * it. The commit runs on the event loop, as the bench's durable baselines do.
 * It used to run on a writer thread so that an fsync never held the loop; but
 * each batch then cost a `postMessage` both ways and two thread wake-ups, and
 * on two cores the answer often waited for the busy main thread. Committing
 * here (12 alternating pairs at 500 posts/s, docs/benchmarks-history.md, session 7): fan-out
 * p99 median 9.1 against 11.3 ms, server CPU 61.7% against 67.5%; durable
 * posts/s 8,133 and 5,865 against 5,892 and 5,623.
 */
export class SqliteWriter {
  /** Opened by the first write: a process that only reads (a rebuild, an export) never opens it. */
  private committer: Committer | null = null;
  private queued: Batch = { appends: [], signals: [] };
  private scheduled: NodeJS.Immediate | undefined;
  private closed = false;

  constructor(
    private readonly file: string,
    /** Called once a batch has committed, with what it wrote. */
    private readonly afterCommit: (committed: Committed) => void,
  ) {}

  append(stream: string, events: readonly EventToAppend[], expected: ExpectedRevision): Promise<AppendResult> {
    const append: WireAppend = {
      stream,
      expected,
      events: events.map((event) => ({
        id: event.id,
        type: event.type,
        data: JSON.stringify(event.data) ?? 'null',
        metadata: JSON.stringify(event.metadata),
      })),
    };
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the event store is closed'));
      this.queued.appends.push({ append, resolve, reject });
      this.schedule();
    });
  }

  /** A signal or a prune, committed without fsync. */
  signal(op: WireSignalOp): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.closed) return reject(new Error('the event store is closed'));
      this.queued.signals.push({ op, resolve, reject });
      this.schedule();
    });
  }

  /** Commits everything queued, then closes the connections. */
  close(): Promise<void> {
    clearImmediate(this.scheduled);
    this.commit();
    this.closed = true;
    this.committer?.close();
    this.committer = null;
    return Promise.resolve();
  }

  private schedule(): void {
    // setImmediate rather than a microtask: it also gathers the writes of every I/O callback of this turn.
    this.scheduled ??= setImmediate(() => this.commit());
  }

  private commit(): void {
    this.scheduled = undefined;
    const batch = this.queued;
    if (batch.appends.length === 0 && batch.signals.length === 0) return;
    this.queued = { appends: [], signals: [] };
    let reply: WriterReply;
    try {
      this.committer ??= openCommitter(this.file);
      reply = this.committer.handle({
        appends: batch.appends.map((pending) => pending.append),
        signals: batch.signals.map((pending) => pending.op),
      });
    } catch (error) {
      // The file could not be opened for writing: this batch fails, the next write tries again.
      for (const pending of [...batch.appends, ...batch.signals]) pending.reject(error);
      return;
    }
    this.settle(batch, reply);
  }

  private settle(batch: Batch, reply: WriterReply): void {
    batch.appends.forEach((pending, i) => {
      const outcome = reply.outcomes?.[i];
      if (!outcome) return pending.reject(new Error(reply.appendsFailure ?? 'append failed'));
      if (outcome.ok) return pending.resolve(outcome.result);
      const { stream } = pending.append;
      pending.reject(outcome.conflict ? new WrongExpectedVersion(stream, outcome.conflict.expected, outcome.conflict.actual) : new Error(outcome.message));
    });
    for (const pending of batch.signals) {
      if (reply.signalsFailure) pending.reject(new Error(reply.signalsFailure));
      else pending.resolve();
    }
    const appended = reply.outcomes && reply.recordedAt !== null ? appendedEvents(batch.appends, reply.outcomes, reply.recordedAt) : undefined;
    this.afterCommit({ events: batch.appends.length > 0, signals: batch.signals.length > 0, ...(appended ? { appended } : {}) });
  }
}

/** What a committed batch appended, from what was sent and what the writer answered; undefined if nothing. */
function appendedEvents(appends: readonly PendingAppend[], outcomes: readonly WireOutcome[], recordedAt: string): AppendedEvents | undefined {
  let first = 0;
  let last = 0;
  outcomes.forEach((outcome, i) => {
    if (!outcome.ok || outcome.result.alreadyRecorded) return;
    const count = appends[i]!.append.events.length;
    if (count === 0) return;
    if (first === 0) first = outcome.result.position - count + 1;
    last = outcome.result.position;
  });
  if (first === 0) return undefined;
  return {
    first,
    last,
    events: () => {
      const recorded: RecordedEvent[] = [];
      outcomes.forEach((outcome, i) => {
        if (!outcome.ok || outcome.result.alreadyRecorded) return;
        const { stream, events } = appends[i]!.append;
        // One append's events got consecutive revisions and positions, ending at the ones the writer answered.
        const { nextRevision, position } = outcome.result;
        events.forEach((event, k) => {
          const before = events.length - 1 - k;
          recorded.push({
            id: event.id,
            stream,
            type: event.type,
            revision: nextRevision - before,
            position: position - before,
            recordedAt,
            // Parsed from the JSON that was stored: the same values a read returns, and objects no caller holds.
            data: JSON.parse(event.data) as unknown,
            metadata: JSON.parse(event.metadata) as EventMetadata,
          });
        });
      });
      return recorded;
    },
  };
}
