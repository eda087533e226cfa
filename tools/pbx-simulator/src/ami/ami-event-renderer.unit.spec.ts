import { simpleScenario } from '../domain/test-scenarios';
import type { SimFact } from '../domain/sim-facts';
import { AmiEventRenderer } from './ami-event-renderer';

const T0 = Date.parse('2025-03-03T08:00:00Z');
const arrived: SimFact = { type: 'CallArrived', at: T0, callId: 'call-1', callerNumber: '5550000001', repeatOfCallId: null, callerTier: null };
const queued: SimFact = { type: 'CallQueued', at: T0, callId: 'call-1', contactId: 'call-1-1', queue: 'support', position: 1, count: 1 };
const left = (reason: 'abandon' | 'timeout'): SimFact => ({
  type: 'CallLeftQueueUnanswered', at: T0 + 30_000, callId: 'call-1', contactId: 'call-1-1', queue: 'support', reason, position: 1, originalPosition: 1, waitMs: 30_000, countAfter: 0,
});
const eventsOf = (ami: string) => ami.split('\r\n\r\n').filter((f) => f !== '').map((f) => f.split('\r\n')[0].replace('Event: ', ''));

describe('AMI rendering of a caller leaving the queue unanswered', () => {
  it('abandon: QueueCallerAbandon, QueueCallerLeave, then the caller channel hangs up at once', () => {
    const r = new AmiEventRenderer(simpleScenario());
    r.render([arrived, queued]);
    expect(eventsOf(r.render([left('abandon')]))).toEqual(['MusicOnHoldStop', 'QueueCallerAbandon', 'QueueCallerLeave', 'Hangup']);
  });

  it('queue timeout: the same two queue events, then QUEUESTATUS=TIMEOUT and the dial plan on a live channel that hangs up later', () => {
    const r = new AmiEventRenderer(simpleScenario());
    r.render([arrived, queued]);
    const atTimeout = r.render([left('timeout')]);
    expect(eventsOf(atTimeout)).toEqual(['MusicOnHoldStop', 'QueueCallerAbandon', 'QueueCallerLeave', 'VarSet', 'Newexten']);
    expect(atTimeout).toContain('Variable: QUEUESTATUS\r\nValue: TIMEOUT\r\n');
    expect(atTimeout).toContain('Application: VoiceMail\r\n');
    const later = r.render([{ type: 'TimedOutCallEnded', at: T0 + 50_000, callId: 'call-1', queue: 'support' }]);
    expect(eventsOf(later)).toEqual(['Hangup']);
    expect(later).toContain(`Timestamp: ${((T0 + 50_000) / 1000).toFixed(6)}`);
  });
});
