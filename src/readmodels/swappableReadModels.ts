import type { ReadModelStore } from './readModelStore.js';

/**
 * A read-model store whose backing store can be replaced while the server runs:
 * every call goes to whichever store is current when it is made. Used to switch
 * to a rebuilt read model without a restart.
 */
export class SwappableReadModels {
  readonly store: ReadModelStore;
  private current: ReadModelStore;

  constructor(initial: ReadModelStore) {
    this.current = initial;
    const target = () => this.current;
    // A Proxy keeps this wrapper complete as the port grows: no method list to keep in step.
    this.store = new Proxy(initial, {
      get(_initial, property) {
        const value = Reflect.get(target(), property) as unknown;
        return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target()) : value;
      },
    });
  }

  /** Makes `next` current and returns the store it replaced (for the caller to close). */
  swap(next: ReadModelStore): ReadModelStore {
    const previous = this.current;
    this.current = next;
    return previous;
  }
}
