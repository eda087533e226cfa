import { AmiEventRenderer } from '../ami/ami-event-renderer';
import { EslEventRenderer } from '../esl/esl-event-renderer';
import { tierOfCaller } from './call-center.simulation';
import { RECORDING_SAMPLE_RATE, recordingSpec, wavBytes } from './recordings';
import type { SimFact } from './sim-facts';
import { simpleScenario } from './test-scenarios';

const T0 = Date.parse('2025-03-03T08:00:00Z');
const call: SimFact[] = [
  { type: 'AgentLoggedIn', at: T0 - 60_000, agentId: '1001', queues: [{ queue: 'support', penalty: 0 }] },
  { type: 'CallArrived', at: T0, callId: 'call-1', callerNumber: '5550000001', repeatOfCallId: null, callerTier: 'vip' },
  { type: 'CallQueued', at: T0, callId: 'call-1', contactId: 'call-1-1', queue: 'support', position: 1, count: 1 },
  { type: 'AgentRingStarted', at: T0 + 1000, callId: 'call-1', contactId: 'call-1-1', queue: 'support', agentId: '1001' },
  { type: 'CallAnswered', at: T0 + 5000, callId: 'call-1', contactId: 'call-1-1', queue: 'support', agentId: '1001', waitMs: 5000, ringMs: 4000, position: 1, countAfter: 0 },
];
const completed: SimFact = { type: 'CallCompleted', at: T0 + 65_000, callId: 'call-1', contactId: 'call-1-1', queue: 'support', agentId: '1001', releasedBy: 'caller', waitMs: 5000, talkMs: 60_000, resolved: true };
const eventsOf = (ami: string) => ami.split('\r\n\r\n').filter((f) => f !== '').map((f) => f.split('\r\n')[0].replace('Event: ', ''));

describe('Simulated recordings', () => {
  it('should be a WAV whose header gives the recording length, and a header with zero sizes until flushed', () => {
    const spec = recordingSpec('support', 'call-1-1', T0 + 5000, T0 + 65_000);
    expect(spec).toEqual({ fileName: 'q-support-call-1-1.wav', samples: 60 * RECORDING_SAMPLE_RATE, durationSeconds: 60 });
    const view = (b: Uint8Array) => new DataView(b.buffer);
    const final = wavBytes(spec, 'call-1-1');
    expect(view(final).getUint32(40, true) / view(final).getUint32(28, true)).toBe(60);
    expect(view(final).getUint32(4, true) + 8).toBe(final.length);
    const early = wavBytes(spec, 'call-1-1', false);
    expect([view(early).getUint32(4, true), view(early).getUint32(40, true)]).toEqual([0, 0]);
    expect(Buffer.from(wavBytes(spec, 'call-2-1')).equals(Buffer.from(final))).toBe(false);
  });

  it('should be announced on AMI as MixMonitor does: VarSet MIXMONITOR_FILENAME and MixMonitorStart at the answer, MixMonitorStop at the end', () => {
    const r = new AmiEventRenderer(simpleScenario(), '/var/spool/asterisk/monitor');
    const atAnswer = r.render(call);
    expect(atAnswer).toContain('Variable: MIXMONITOR_FILENAME\r\nValue: /var/spool/asterisk/monitor/q-support-call-1-1.wav\r\n');
    expect(eventsOf(atAnswer).slice(-2)).toEqual(['VarSet', 'MixMonitorStart']);
    expect(eventsOf(r.render([completed]))[0]).toBe('MixMonitorStop');
  });

  it('should be announced on the event socket as RECORD_START / RECORD_STOP with the file and the length in ms', () => {
    const r = new EslEventRenderer(simpleScenario(), '/var/lib/freeswitch/recordings');
    expect(r.render(call)).toContain('Event-Name: RECORD_START');
    const stop = r.render([completed]);
    expect(stop).toContain('Event-Name: RECORD_STOP');
    expect(stop).toContain('Record-File-Path: /var/lib/freeswitch/recordings/q-support-call-1-1.wav');
    expect(stop).toContain('variable_record_ms: 60000');
  });

  it('should not be announced when the run does not record', () => {
    expect(new AmiEventRenderer(simpleScenario()).render([...call, completed])).not.toContain('MixMonitor');
    expect(new EslEventRenderer(simpleScenario()).render([...call, completed])).not.toContain('RECORD_');
  });
});

describe('Simulated caller tiers', () => {
  it('should tag about the configured share of callers, the same caller always alike', () => {
    const numbers = Array.from({ length: 4000 }, (_, i) => `55500${String(i).padStart(5, '0')}`);
    const vip = numbers.filter((n) => tierOfCaller(n, 0.25) === 'vip').length;
    expect(vip / numbers.length).toBeGreaterThan(0.2);
    expect(vip / numbers.length).toBeLessThan(0.3);
    expect(numbers.map((n) => tierOfCaller(n, 0.25))).toEqual(numbers.map((n) => tierOfCaller(n, 0.25)));
    expect(numbers.some((n) => tierOfCaller(n, 0) !== null)).toBe(false);
  });

  it('should send SWITCHBOARD_CALLER_TIER on the caller channel when a share is configured', () => {
    const scenario = { ...simpleScenario(), callers: { ...simpleScenario().callers, vipShare: 0.5 } };
    expect(new AmiEventRenderer(scenario).render(call)).toContain('ChanVariable: SWITCHBOARD_CALLER_TIER=vip\r\n');
    expect(new EslEventRenderer(scenario).render(call)).toContain('variable_SWITCHBOARD_CALLER_TIER: vip');
  });
});
