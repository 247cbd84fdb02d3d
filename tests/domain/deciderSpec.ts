import { expect } from 'vitest';
import type { Decider } from '../../src/domain/decider.js';
import { type ErrorCode, TributaryError } from '../../src/errors.js';

/**
 * Given past events, when a command, then these events or this error:
 * `given(decider, events).when(command).thenEvents(events)` or `.thenThrows(code, problemPaths)`.
 * `given(decider, events).thenState(state)` checks the fold alone. (`thenEvents`, not `then`: an
 * object with a `then` method is a thenable, which `await` would call.)
 */
export const given = <Command, Event, State>(
  decider: Decider<Command, Event, State>,
  history: readonly Event[],
) => {
  const state = () => history.reduce((folded, event) => decider.evolve(folded, event), decider.initialState);
  return {
    thenState(expected: State) {
      expect(state()).toEqual(expected);
    },
    when(command: Command) {
      const decide = () => decider.decide(command, state());
      return {
        thenEvents(expected: readonly Event[]) {
          expect(decide()).toEqual(expected);
        },
        /** With `problemPaths`, the error's field problems must name exactly these paths, in order. */
        thenThrows(code: ErrorCode, problemPaths?: readonly string[]) {
          let thrown: unknown;
          try {
            decide();
          } catch (error) {
            thrown = error;
          }
          if (thrown === undefined) throw new Error(`expected ${code}, but the command was accepted`);
          expect(thrown).toBeInstanceOf(TributaryError);
          expect((thrown as TributaryError).code).toBe(code);
          if (problemPaths)
            expect((thrown as TributaryError).problems.map((p) => p.path)).toEqual(problemPaths);
        },
      };
    },
  };
};
