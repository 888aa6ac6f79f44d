import { expect } from 'vitest';
import { DomainError, fold, type Decider, type DomainErrorCode } from '../../src/domain/decider.js';

/**
 * Decider tests as given / when / then over events:
 * `given(decider, history).when(command).then(expectedEvents)` or `.thenThrows(code, reason)`.
 * `then` returns the state with the new events folded in, for assertions on what was derived.
 */
export function given<S, C, E>(decider: Decider<S, C, E>, history: readonly E[] = []) {
  return {
    when(command: C) {
      // Folded per assertion: a thread state shares its indexes with its successor, so it is evolved once only.
      const decide = () => {
        const state = fold(decider, history);
        return { state, events: decider.decide(command, state) };
      };
      return {
        then(expected: readonly E[]): S {
          const { state, events } = decide();
          expect(events).toStrictEqual(expected);
          return fold(decider, events, state);
        },
        thenThrows(code: DomainErrorCode, reason: string): void {
          expect(() => decide()).toThrow(DomainError);
          expect(() => decide()).toThrow(expect.objectContaining({ code, reason }));
        },
      };
    },
  };
}
