import { isDeepStrictEqual, inspect } from 'node:util';
import { asArray, Decider, fold } from './decider';

/**
 * given(events).when(command).then(events) for deciders, with no mocks:
 *
 *   const spec = DeciderSpecification.for(callDecider);
 *   spec.given([callQueued]).when(answer).then([callAnswered]);
 *   spec.given([]).when(answer).thenThrows((e) => e instanceof DomainRejection && e.code === 'CALL.NOT_QUEUED');
 */
export const DeciderSpecification = {
  for<C, E, S>(decider: Decider<C, E, S>) {
    return {
      given(history: readonly E[]) {
        return {
          when(command: C) {
            const run = () => asArray(decider.decide(command, fold(decider, history)));
            return {
              then(expected: readonly E[]): void {
                const actual = run();
                if (!isDeepStrictEqual(actual, expected)) {
                  throw new Error(`decider produced unexpected events\nexpected: ${show(expected)}\nactual:   ${show(actual)}`);
                }
              },
              thenNothingHappens(): void {
                const actual = run();
                if (actual.length > 0) throw new Error(`expected no events, got ${show(actual)}`);
              },
              thenThrows(check: (error: unknown) => boolean): void {
                let produced: readonly E[];
                try {
                  produced = run();
                } catch (e) {
                  if (!check(e)) throw new Error(`decider threw an unexpected error: ${show(e)}`);
                  return;
                }
                throw new Error(`expected the decider to throw, but it produced ${show(produced)}`);
              },
            };
          },
        };
      },
    };
  },
};

const show = (v: unknown) => inspect(v, { depth: 6, breakLength: 120 });
