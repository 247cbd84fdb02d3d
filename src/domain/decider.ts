/**
 * An aggregate's behaviour as pure functions: `decide` turns a command into events (or throws a
 * coded domain error) given the state folded from past events by `evolve`. No I/O, no clock,
 * no randomness: times and new ids arrive on the command.
 */
export interface Decider<Command, Event, State> {
  initialState: State;
  decide(command: Command, state: State): Event[];
  evolve(state: State, event: Event): State;
}

/** Compile-time proof that a switch handled every case of a union. */
export const assertNever = (value: never): never => {
  throw new Error(`Unhandled case: ${JSON.stringify(value)}`);
};
