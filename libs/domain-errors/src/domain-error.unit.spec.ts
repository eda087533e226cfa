import { ConflictError, DomainError, InvalidArgumentError, isDomainError, NotFoundError, PreconditionFailedError } from './domain-error';

class NoEligibleAgent extends PreconditionFailedError {
  constructor(callId: string) {
    super('ROUTING.NO_ELIGIBLE_AGENT', `no eligible agent for call ${callId}`);
  }
}

describe('DomainError', () => {
  it('should carry a stable code, a kind and a name for logs', () => {
    const e = new NoEligibleAgent('c-1');
    expect(e).toBeInstanceOf(DomainError);
    expect(e).toBeInstanceOf(Error);
    expect(e).toMatchObject({ code: 'ROUTING.NO_ELIGIBLE_AGENT', kind: 'precondition_failed', name: 'NoEligibleAgent', fieldViolations: [] });
    expect(e.message).toBe('no eligible agent for call c-1');
  });

  it('should keep the field violations of an invalid argument', () => {
    const e = new InvalidArgumentError('QA.INVALID_SCORE', 'score out of range', [{ field: 'items[2].score', description: 'must be 0..5' }]);
    expect(e.kind).toBe('invalid_argument');
    expect(e.fieldViolations).toEqual([{ field: 'items[2].score', description: 'must be 0..5' }]);
  });

  it('should keep the cause', () => {
    const cause = new Error('stale version 3');
    expect(new ConflictError('ES.STALE_VERSION', 'stream changed', { cause }).cause).toBe(cause);
  });

  it('should be recognised by isDomainError and nothing else', () => {
    expect(isDomainError(new NotFoundError('HR.AGENT_NOT_FOUND', 'no such agent'))).toBe(true);
    expect(isDomainError(new Error('boom'))).toBe(false);
    expect(isDomainError({ code: 'X.Y', kind: 'not_found' })).toBe(false);
    expect(isDomainError(undefined)).toBe(false);
  });
});
