import { decideLinkLease, initialLinkLease, type LinkLeaseEffect, type LinkLeaseInput, type LinkLeaseState } from './domain/link-lease.decider';

const acquired: LinkLeaseInput = { type: 'LeaseAcquired' };
const refused: LinkLeaseInput = { type: 'LeaseRefused' };
const lost: LinkLeaseInput = { type: 'LeaseLost', reason: 'lease connection closed' };
const stop: LinkLeaseInput = { type: 'StopRequested' };

/** Applies the inputs in order from `from`; returns the final state and every effect, in order. */
function run(inputs: readonly LinkLeaseInput[], from: LinkLeaseState = initialLinkLease()): { state: LinkLeaseState; effects: LinkLeaseEffect[] } {
  return inputs.reduce<{ state: LinkLeaseState; effects: LinkLeaseEffect[] }>((acc, input) => {
    const d = decideLinkLease(acc.state, input);
    return { state: d.state, effects: [...acc.effects, ...d.effects] };
  }, { state: from, effects: [] });
}

describe('PBX link lease', () => {
  describe('When standing by', () => {
    it('should start the link once the lease is acquired', () => {
      expect(run([acquired])).toEqual({ state: { status: 'active' }, effects: ['start-link'] });
    });

    it('should announce standby once, then only retry while the lease stays refused', () => {
      expect(run([refused, refused, refused])).toEqual({
        state: { status: 'standby', announced: true }, effects: ['announce-standby', 'retry-later', 'retry-later', 'retry-later'],
      });
    });

    it('should retry without starting anything when Postgres cannot be asked', () => {
      expect(run([lost])).toEqual({ state: { status: 'standby', announced: false }, effects: ['retry-later'] });
    });

    it('should take over after refusals when the active replica is gone', () => {
      expect(run([refused, refused, acquired]).effects).toEqual(['announce-standby', 'retry-later', 'retry-later', 'start-link']);
    });
  });

  describe('When active', () => {
    const active = run([acquired]).state;

    it('should stop the link at once and go back to asking when the lease is lost', () => {
      expect(run([lost], active)).toEqual({ state: { status: 'standby', announced: false }, effects: ['stop-link', 'retry-later'] });
    });

    it('should announce standby again after a loss, when the lease is then refused', () => {
      expect(run([lost, refused], active).effects).toEqual(['stop-link', 'retry-later', 'announce-standby', 'retry-later']);
    });

    it('should never start a second link on a repeated acquisition or a late refusal', () => {
      expect(run([acquired, refused], active)).toEqual({ state: { status: 'active' }, effects: [] });
    });

    it('should stop the link before releasing the lease when the gateway stops', () => {
      expect(run([stop], active)).toEqual({ state: { status: 'stopped' }, effects: ['stop-link', 'release'] });
    });
  });

  describe('When stopped', () => {
    const stopped = run([stop]).state;

    it('should only release when the gateway stops while standing by', () => {
      expect(run([stop])).toEqual({ state: { status: 'stopped' }, effects: ['release'] });
    });

    it('should give back a lease whose acquisition answered after the stop, and start nothing', () => {
      expect(run([acquired], stopped)).toEqual({ state: { status: 'stopped' }, effects: ['release'] });
    });

    it('should ignore losses, refusals and repeated stops', () => {
      expect(run([lost, refused, stop], stopped)).toEqual({ state: { status: 'stopped' }, effects: [] });
    });
  });
});
