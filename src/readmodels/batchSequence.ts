/** The last batch a projection handed over: what the store needs to know of it, and whether it committed. */
export interface HandedOver<T> {
  ticket: T;
  settled: boolean;
  /** True once committed, false once failed; never rejects. */
  done: Promise<boolean>;
}

/**
 * Keeps a read-model store's batches in order per projection, so that a caller
 * may hand over the next batch before the previous one has committed (a rebuild
 * projects page n + 1 while page n is being written) without ever leaving a gap:
 *
 * - the store starts each batch with the projection's previous batch if that one
 *   has not settled yet, and must not apply the batch if that one fails;
 * - once a batch has failed, the projection's later batches are refused until its
 *   checkpoint is read again, which is how a caller resumes (the runner on start
 *   or restart, `replayLog` on start).
 */
export class BatchSequence<T> {
  private readonly last = new Map<string, HandedOver<T>>();
  private readonly failed = new Set<string>();

  /** Hands over a batch: `start` gets the projection's previous batch while unsettled, and returns this batch's ticket and commit. */
  add(projection: string, start: (previous: HandedOver<T> | null) => { ticket: T; committed: Promise<void> }): Promise<void> {
    if (this.failed.has(projection)) return Promise.reject(batchRefused(projection));
    const previous = this.last.get(projection);
    const { ticket, committed } = start(previous && !previous.settled ? previous : null);
    const batch: HandedOver<T> = { ticket, settled: false, done: Promise.resolve(false) };
    // Settled in the store's own handler, before any caller's continuation runs.
    batch.done = committed.then(
      () => {
        batch.settled = true;
        return true;
      },
      () => {
        batch.settled = true;
        this.failed.add(projection);
        return false;
      },
    );
    this.last.set(projection, batch);
    return committed;
  }

  /** A batch that failed before it was handed over (its projection threw): the ones after it must not apply either. */
  fail(projection: string): void {
    this.failed.add(projection);
  }

  /** The projection's checkpoint is being read, to resume from: once its batches have settled, it takes batches again. */
  async resume(projection: string): Promise<void> {
    await this.last.get(projection)?.done;
    this.failed.delete(projection);
  }

  /** Resolves once every batch handed over so far, of every projection, has settled. */
  async settled(): Promise<void> {
    await Promise.all([...this.last.values()].map((batch) => batch.done));
  }
}

/** Why a batch behind a failed one is not applied: by the store, or by its writer when the failure was not yet known. */
export function batchRefused(projection: string): Error {
  return new Error(`an earlier batch of projection ${projection} failed: nothing after it is applied until the projection resumes from its checkpoint`);
}
