import { ErrorType, isCommandError } from '@eventstore/db-client';
import { Observable, defer, retry, tap, throwError, timer } from 'rxjs';

/** The part of the client's catch-up subscription (a Readable) that we use. */
interface CatchUpSubscription<Item> {
  on(event: 'data', listener: (item: Item) => void): unknown;
  on(event: 'error', listener: (error: Error) => void): unknown;
  on(event: 'end', listener: () => void): unknown;
  unsubscribe(): Promise<void>;
}

export class SubscriptionDropped extends Error {
  override readonly name = 'SubscriptionDropped';
}

/** Errors that another attempt cannot fix: retrying them would loop forever. */
const PERMANENT = new Set<ErrorType>([
  ErrorType.ACCESS_DENIED,
  ErrorType.STREAM_DELETED,
  ErrorType.INVALID_ARGUMENT,
  ErrorType.UNSUPPORTED,
]);
const isPermanent = (error: unknown) => error instanceof Error && isCommandError(error) && PERMANENT.has(error.type);

const MAX_BACKOFF_MS = 5_000;
/** 100 ms, 200 ms, 400 ms… capped, with jitter so that many nodes do not reconnect in step. */
const backoffMs = (attempt: number) => Math.min(100 * 2 ** (attempt - 1), MAX_BACKOFF_MS) * (0.75 + Math.random() / 2);

function fromCatchUpSubscription<Item>(open: () => CatchUpSubscription<Item>): Observable<Item> {
  return new Observable<Item>((subscriber) => {
    const subscription = open();
    subscription.on('data', (item) => subscriber.next(item));
    // The listener stays after teardown: an 'error' event without one would crash the process.
    subscription.on('error', (error) => subscriber.error(error));
    // A catch-up subscription never ends by itself: an end is the server going away.
    subscription.on('end', () => subscriber.error(new SubscriptionDropped('subscription ended by the server')));
    return () => {
      subscription.unsubscribe().catch(() => undefined);
    };
  });
}

/**
 * A catch-up subscription that survives dropped connections: after an error
 * it waits (exponential backoff) and reopens from the cursor of the last item
 * it received, which the server treats as exclusive, so nothing is skipped
 * and nothing is delivered twice. Each subscriber gets its own cursor.
 */
export function resumableSubscription<Item, Cursor>(options: {
  start: Cursor;
  open: (from: Cursor) => CatchUpSubscription<Item>;
  cursorOf: (item: Item) => Cursor | undefined;
}): Observable<Item> {
  return defer(() => {
    let from = options.start;
    return fromCatchUpSubscription(() => options.open(from)).pipe(
      tap((item) => {
        from = options.cursorOf(item) ?? from;
      }),
      retry({
        resetOnSuccess: true,
        delay: (error: unknown, attempt) => (isPermanent(error) ? throwError(() => error) : timer(backoffMs(attempt))),
      }),
    );
  });
}
