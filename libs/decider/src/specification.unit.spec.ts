import { Decider, DeciderSpecification, DomainRejection, fold } from './index';

// A tiny counter decider, enough to prove the spec helper reports success and each kind of failure.
type Cmd = { type: 'Add'; by: number } | { type: 'Reset' };
type Evt = { type: 'Added'; by: number } | { type: 'WasReset' };
const counter: Decider<Cmd, Evt, number> = {
  initialState: () => 0,
  evolve: (s, e) => (e.type === 'Added' ? s + e.by : 0),
  decide: (c, s) => {
    if (c.type === 'Reset') return s === 0 ? [] : { type: 'WasReset' };
    if (c.by <= 0) throw new DomainRejection('COUNTER.NON_POSITIVE', 'must add a positive number');
    return { type: 'Added', by: c.by };
  },
};
const spec = DeciderSpecification.for(counter);

describe('DeciderSpecification', () => {
  it('passes when the decider emits the expected events', () => {
    spec.given([{ type: 'Added', by: 2 }]).when({ type: 'Reset' }).then([{ type: 'WasReset' }]);
  });

  it('fails with both event lists when the events differ', () => {
    expect(() => spec.given([]).when({ type: 'Add', by: 1 }).then([{ type: 'Added', by: 2 }]))
      .toThrow(/expected: \[ \{ type: 'Added', by: 2 \} \]\nactual: {3}\[ \{ type: 'Added', by: 1 \} \]/);
  });

  it('checks rejections by predicate', () => {
    spec.given([]).when({ type: 'Add', by: 0 }).thenThrows((e) => e instanceof DomainRejection && e.code === 'COUNTER.NON_POSITIVE');
    expect(() => spec.given([]).when({ type: 'Add', by: 1 }).thenThrows(() => true)).toThrow(/expected the decider to throw/);
  });

  it('supports commands that change nothing', () => {
    spec.given([]).when({ type: 'Reset' }).thenNothingHappens();
    expect(() => spec.given([{ type: 'Added', by: 1 }]).when({ type: 'Reset' }).thenNothingHappens()).toThrow(/expected no events/);
  });

  it('folds history into state', () => {
    expect(fold(counter, [{ type: 'Added', by: 2 }, { type: 'Added', by: 3 }])).toBe(5);
  });
});
