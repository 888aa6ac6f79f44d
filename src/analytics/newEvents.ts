import { concat, defer, filter, firstValueFrom, map, of, race, shareReplay, switchMap, timer, fromEvent, type Observable } from 'rxjs';
import type { EventStore } from '../eventstore/eventStore.js';

/**
 * Tells feed streams that the log has grown, so idle ones sleep instead of
 * polling. One subscription to `$all` per process, shared by every stream and
 * dropped when none is waiting. It only wakes readers up: what they send is
 * always read from the log by position, so a missed wake-up can delay an event
 * but never lose or repeat one.
 */
export class NewEvents {
  private readonly head$: Observable<number>;

  constructor(store: EventStore) {
    this.head$ = defer(() => store.headPosition()).pipe(
      // The head itself first: whatever was appended before the subscription started also counts.
      switchMap((head) => concat(of(head), store.subscribeToAll({ after: head }).pipe(map((event) => event.position)))),
      shareReplay({ bufferSize: 1, refCount: true }),
    );
  }

  /** Keeps the shared subscription open while a stream lives, so waits do not each subscribe anew; call the result to release. */
  hold(): () => void {
    const subscription = this.head$.subscribe({ error: () => undefined });
    return () => subscription.unsubscribe();
  }

  /** Resolves when the log holds an event after `position`, after `timeoutMs`, or when `signal` aborts. */
  async after(position: number, timeoutMs: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return;
    const grown = this.head$.pipe(filter((head) => head > position));
    await firstValueFrom(race(grown, timer(timeoutMs), fromEvent(signal, 'abort')), { defaultValue: undefined }).catch(
      // A failed subscription (store closing) just ends the wait: the next read reports real errors.
      () => undefined,
    );
  }
}
