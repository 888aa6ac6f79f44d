import type { Subscription } from 'rxjs';
import { assertValidEvent, upcastRecorded } from '../domain/schemas.js';
import type { EventStore, RecordedEvent } from '../eventstore/eventStore.js';
import type { ReadModelStore } from '../readmodels/readModelStore.js';
import type { Projection } from './chatProjection.js';

interface Logger {
  error(obj: object, msg: string): void;
}

const MAX_BATCH = 1000;
/**
 * Under a steady stream of appends, batches start at most this often: every
 * read-model commit rewrites the index pages it touches, whether it carries one
 * event or a hundred, so one commit per append group cost as much as the append.
 * When idle, the next batch still starts on the next tick.
 */
const MIN_BATCH_INTERVAL_MS = 10;
/**
 * Once batches come this big, appends are arriving faster than the interval
 * above amortizes, and batches start at most every BUSY_BATCH_INTERVAL_MS. At
 * 10 ms a durable-post load wrote ~39 KB to disk per post and the read-model
 * writer and checkpointer took ~40% of a core; at 50 ms the writes halved and
 * posts/s rose ~15% (5.0-5.4k -> 5.9-6.2k, `npm run bench -- durable`). A query
 * waiting for a position (`waitFor`) does not wait for the interval.
 */
const BUSY_BATCH = 32;
const BUSY_BATCH_INTERVAL_MS = 50;

/** Catching up, batches are full already: waiting would only slow the catch-up down. */
const batchInterval = (lastFlushSize: number) =>
  lastFlushSize >= MAX_BATCH ? 0 : lastFlushSize >= BUSY_BATCH ? BUSY_BATCH_INTERVAL_MS : MIN_BATCH_INTERVAL_MS;

/**
 * Follows `$all` from the projection's checkpoint and applies events in batches,
 * each committed together with its checkpoint. Everything one subscription
 * delivers within a tick becomes one batch, so catch-up is fast; live batches
 * start at most every MIN_BATCH_INTERVAL_MS, so live latency stays within that.
 */
export class ProjectionRunner {
  /** Position of the last applied event. */
  position = 0;
  /** Set when the projection stopped on an event it could not apply. */
  failure: { position: number; type: string; message: string } | null = null;

  private subscription: Subscription | null = null;
  private pending: RecordedEvent[] = [];
  private flushing: Promise<void> = Promise.resolve();
  private scheduled: { cancel(): void } | null = null;
  private lastFlushAt = 0;
  private lastFlushSize = 0;
  private waiters = new Set<{ position: number; resolve: () => void }>();

  constructor(
    private readonly store: EventStore,
    private readonly readModels: ReadModelStore,
    readonly projection: Projection,
    public logger: Logger,
  ) {}

  async start(): Promise<void> {
    this.position = await this.readModels.checkpoint(this.projection.name);
    this.subscription = this.store.subscribeToAll({ after: this.position }).subscribe({
      next: (event) => {
        this.pending.push(event);
        if (!this.scheduled) {
          const interval = batchInterval(this.lastFlushSize);
          const wait = this.lastFlushAt + interval - performance.now();
          if (wait > 0) {
            const timer = setTimeout(() => this.flush(), wait);
            this.scheduled = { cancel: () => clearTimeout(timer) };
          } else {
            const immediate = setImmediate(() => this.flush());
            this.scheduled = { cancel: () => clearImmediate(immediate) };
          }
        }
      },
      error: (error: unknown) => this.fail(this.position, 'subscription', error),
    });
  }

  /** Resolves once the projection has applied `position`, or with false after `timeoutMs`. */
  waitFor(position: number, timeoutMs: number): Promise<boolean> {
    if (this.position >= position) return Promise.resolve(true);
    // Someone reads what they wrote: the events they wait for go now rather than when the interval is up.
    if (this.scheduled && (this.pending.at(-1)?.position ?? 0) >= position) this.flush();
    return new Promise((resolve) => {
      const waiter = {
        position,
        resolve: () => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          resolve(true);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        resolve(false);
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /**
   * Resumes after a failure once its cause is fixed: from the checkpoint, so the
   * event that failed is applied again, never skipped. (A process restart does the same.)
   */
  async restart(): Promise<void> {
    await this.stop();
    this.failure = null;
    this.pending = [];
    await this.start();
  }

  async stop(): Promise<void> {
    this.subscription?.unsubscribe();
    this.subscription = null;
    // Events already delivered are applied now rather than by a timer firing after the caller closed the read models.
    if (this.scheduled) this.flush();
    await this.flushing;
  }

  private flush(): void {
    this.scheduled?.cancel();
    this.scheduled = null;
    this.lastFlushAt = performance.now();
    this.lastFlushSize = this.pending.length;
    this.flushing = this.flushing.then(async () => {
      // Catching up, the next batch is projected and handed over while the previous one commits (the read models
      // apply a projection's batches in call order, and none after a failed one until the checkpoint is read again,
      // as start() does): at most two in flight.
      let previous: Promise<void> = Promise.resolve();
      while (this.pending.length > 0 && !this.failure) {
        const batch = this.pending.splice(0, MAX_BATCH);
        const applying = this.applyBatch(batch);
        await previous;
        previous = applying;
      }
      await previous;
    });
  }

  private async applyBatch(batch: RecordedEvent[]): Promise<void> {
    const last = batch[batch.length - 1]!;
    let current: RecordedEvent | undefined;
    try {
      await this.readModels.applyBatch(this.projection.name, last.position, (writer) => {
        for (current of batch) {
          const event = upcastRecorded(current);
          // An event that does not match its schema would be projected as garbage: stop on it instead.
          assertValidEvent(event.type, event.data);
          this.projection.apply(event, writer);
        }
      });
    } catch (error) {
      // Stop rather than skip: a skipped event would silently corrupt the read model.
      this.fail(current?.position ?? last.position, current?.type ?? last.type, error);
      return;
    }
    this.position = last.position;
    for (const waiter of this.waiters) if (waiter.position <= this.position) waiter.resolve();
  }

  private fail(position: number, type: string, error: unknown): void {
    // With two batches in flight both may fail (the second because the first did): the earlier one is the cause.
    if (this.failure && this.failure.position <= position) return;
    const message = error instanceof Error ? error.message : String(error);
    this.failure = { position, type, message };
    this.pending = [];
    this.subscription?.unsubscribe();
    this.logger.error(
      { projection: this.projection.name, position, type, err: error },
      `projection ${this.projection.name} stopped at position ${position} (${type}): ${message}; it resumes from its checkpoint once fixed and restarted`,
    );
  }
}
