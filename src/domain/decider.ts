/** Emmett's decider, reduced to what we use: pure, no I/O, no clock, no randomness. */
export interface Decider<State, Command, Event> {
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export type DomainErrorCode =
  | 'validation'
  | 'forbidden'
  | 'not_found'
  | 'conflict';

/** A broken business rule. The HTTP layer maps `code` to a status (400/403/404/409). */
export class DomainError extends Error {
  override readonly name = 'DomainError';
  constructor(
    readonly code: DomainErrorCode,
    /** Stable machine-readable reason, e.g. `username_taken`, `last_owner`. */
    readonly reason: string,
    message: string,
  ) {
    super(message);
  }
}

export const invalid = (reason: string, message: string) => new DomainError('validation', reason, message);
export const forbidden = (reason: string, message: string) => new DomainError('forbidden', reason, message);
export const notFound = (reason: string, message: string) => new DomainError('not_found', reason, message);
export const conflict = (reason: string, message: string) => new DomainError('conflict', reason, message);

/** Folds events into a state with the decider's evolve. */
export function fold<S, E>(decider: Pick<Decider<S, unknown, E>, 'evolve' | 'initialState'>, events: Iterable<E>, from?: S): S {
  let state = from ?? decider.initialState();
  for (const event of events) state = decider.evolve(state, event);
  return state;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
export const isUuid = (value: string): boolean => UUID.test(value);

/** Length in Unicode code points, so an emoji counts as one character. */
export const codePointLength = (value: string): number => {
  let n = 0;
  for (const _ of value) n++;
  return n;
};
