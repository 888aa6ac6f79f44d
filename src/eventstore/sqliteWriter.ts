import type { Worker } from 'node:worker_threads';
import { siblingModule, startWorker } from '../workerThreads.js';
import { WrongExpectedVersion, type AppendResult, type EventMetadata, type EventToAppend, type ExpectedRevision, type RecordedEvent } from './eventStore.js';
import type { AppendedEvents, Committed } from './sqliteTail.js';
import type { WireAppend, WireOutcome, WireSignalOp, WriterReply, WriterRequest } from './sqliteWriterProtocol.js';

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
 * The main thread's side of the writer thread. Appends and signals queued
 * during one turn of the event loop, or while the previous batch was being
 * committed, go over as one batch (group commit); one batch is in flight at a
 * time, so commits keep their order. Promises settle only after the commit.
 */
export class SqliteWriter {
  /** Started by the first write: a process that only reads (a rebuild, an export) never pays for the thread. */
  private worker: Worker | null = null;
  private queued: Batch = { appends: [], signals: [] };
  private inFlight: Batch | null = null;
  private nextId = 0;
  private scheduled: NodeJS.Immediate | undefined;
  private failure: Error | null = null;
  private idle: (() => void)[] = [];
  private exited: Promise<void> = Promise.resolve();

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
      if (this.failure) return reject(this.failure);
      this.queued.appends.push({ append, resolve, reject });
      this.schedule();
    });
  }

  /** A signal or a prune, committed without fsync. */
  signal(op: WireSignalOp): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.failure) return reject(this.failure);
      this.queued.signals.push({ op, resolve, reject });
      this.schedule();
    });
  }

  /** Commits everything queued, then stops the thread. */
  async close(): Promise<void> {
    clearImmediate(this.scheduled);
    this.send();
    while (this.inFlight) await new Promise<void>((resolve) => this.idle.push(resolve));
    if (!this.failure && this.worker) {
      this.worker.ref();
      this.worker.postMessage({ type: 'close' } satisfies WriterRequest);
      await this.exited;
    }
  }

  private schedule(): void {
    // setImmediate rather than a microtask: it also gathers the writes of every I/O callback of this turn.
    if (!this.inFlight) this.scheduled ??= setImmediate(() => this.send());
  }

  private send(): void {
    this.scheduled = undefined;
    const batch = this.queued;
    if (this.inFlight || this.failure || (batch.appends.length === 0 && batch.signals.length === 0)) return;
    this.queued = { appends: [], signals: [] };
    this.inFlight = batch;
    const worker = (this.worker ??= this.start());
    // A commit in flight keeps the process alive; an idle writer does not.
    worker.ref();
    const request: WriterRequest = {
      type: 'write',
      id: ++this.nextId,
      appends: batch.appends.map((pending) => pending.append),
      signals: batch.signals.map((pending) => pending.op),
    };
    worker.postMessage(request);
  }

  private start(): Worker {
    const worker = startWorker(siblingModule(import.meta.url, 'sqliteWriterThread'), { file: this.file });
    worker.unref();
    worker.on('message', (reply: WriterReply) => this.settle(reply));
    worker.on('error', (error) => this.fail(error));
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.once('exit', () => this.fail(new Error('the event store writer thread exited')));
    return worker;
  }

  private settle(reply: WriterReply): void {
    const batch = this.inFlight;
    if (!batch || reply.id !== this.nextId) return;
    this.inFlight = null;
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
    // What queued up during this commit goes now, as the next group.
    this.send();
    if (!this.inFlight) {
      this.worker?.unref();
      for (const resolve of this.idle.splice(0)) resolve();
    }
  }

  private fail(error: unknown): void {
    this.failure ??= error instanceof Error ? error : new Error(String(error));
    const batches = [this.inFlight, this.queued].filter((batch): batch is Batch => batch !== null);
    this.inFlight = null;
    this.queued = { appends: [], signals: [] };
    for (const batch of batches) for (const pending of [...batch.appends, ...batch.signals]) pending.reject(this.failure);
    for (const resolve of this.idle.splice(0)) resolve();
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
