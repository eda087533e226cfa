/**
 * A decider is a service's business logic as three pure functions (Emmett / Jérémie Chassaing's shape):
 * `decide(command, state) -> events`, `evolve(state, event) -> state`, `initialState()`.
 * Time and ids arrive inside the command; nothing here reads a clock or does I/O.
 */
export interface Decider<Command, Event, State> {
  decide(command: Command, state: State): Event | readonly Event[];
  evolve(state: State, event: Event): State;
  initialState(): State;
}

export function asArray<E>(result: E | readonly E[]): readonly E[] {
  return Array.isArray(result) ? (result as readonly E[]) : [result as E];
}

/** Folds events into state. */
export function fold<Command, Event, State>(decider: Decider<Command, Event, State>, events: readonly Event[], from = decider.initialState()): State {
  return events.reduce((s, e) => decider.evolve(s, e), from);
}

/** A rejection with a stable code that adapters map to a transport status (gRPC) or a failure event. */
export class DomainRejection extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'DomainRejection';
  }
}
