import {
  AgentLoggedIn, AgentStateChanged, CallAbandoned, CallAnswered, CallOffered, CallQueued, CallReleased, CallResumed,
  CallWrapUpCompleted, createEnvelope, DataOf, EventDefinition, type AnyEvent,
} from '@switchboard/contracts';

/** Contract-valid envelopes for the small day the projection and API tests share (times Asia/Shanghai). */
const t = (hhmmss: string) => `2025-03-14T${hhmmss}+08:00`;
const iso = (hhmmss: string) => new Date(t(hhmmss)).toISOString();
const hash = (c: string) => c.repeat(64).slice(0, 64);
let counter = 0;
const nextId = () => `0190f3a2-5b1c-7${(counter++).toString(16).padStart(3, '0')}-8a4e-2c0e9a1f7b33`;

function builder(subject: string) {
  let sequence = 0;
  return <E extends EventDefinition>(def: E, time: string, data: DataOf<E>): AnyEvent =>
    createEnvelope(def, { service: 'telephony-gateway', site: 'nanchang', tenant: 'acme', subject, sequence: ++sequence, id: nextId(), time: iso(time), data }) as unknown as AnyEvent;
}

const offered = (e: ReturnType<typeof builder>, callId: string, time: string, caller: string) => e(CallOffered, time,
  { callId, pbxLinkId: 'nc1', direction: 'inbound', channel: 'voice', callerHash: hash(caller), callerMasked: '138****5678', dialedNumber: '95598' });
const queued = (e: ReturnType<typeof builder>, callId: string, time: string) =>
  e(CallQueued, time, { callId, queueId: 'billing', skillId: 'billing', position: 1, queueLength: 1 });
const answered = (e: ReturnType<typeof builder>, callId: string, time: string, agentId: string, waitSeconds: number, ringCount: number) =>
  e(CallAnswered, time, { callId, queueId: 'billing', agentId, extension: '8012', waitSeconds, ringCount, ringDurationMs: ringCount * 3000 });
const released = (e: ReturnType<typeof builder>, callId: string, time: string, agentId: string, releasedBy: 'caller' | 'agent', talkSeconds: number, hold = 0) =>
  e(CallReleased, time, { callId, agentId, releasedBy, talkSeconds, holdCount: hold ? 1 : 0, totalHoldSeconds: hold, transferCount: 0 });

export function callDay() {
  counter = 0;
  const [c1, c2, c3, c4, c5, c6, a1] = ['nc1-c1', 'nc1-c2', 'nc1-c3', 'nc1-c4', 'nc1-c5', 'nc1-c6', 'E1'].map(builder);
  const c2Queued = queued(c2, 'nc1-c2', '09:29:50');
  const c2Answered = answered(c2, 'nc1-c2', '09:30:15', 'E1', 25, 3);
  const first: AnyEvent[] = [
    offered(c1, 'nc1-c1', '09:00:00', 'a'), queued(c1, 'nc1-c1', '09:00:00'), answered(c1, 'nc1-c1', '09:00:10', 'E1', 10, 1),
    c1(CallResumed, '09:02:00', { callId: 'nc1-c1', agentId: 'E1', holdCount: 1, holdSeconds: 30, totalHoldSeconds: 30 }),
    released(c1, 'nc1-c1', '09:05:10', 'E1', 'caller', 300, 30),
    c1(CallWrapUpCompleted, '09:05:30', { callId: 'nc1-c1', agentId: 'E1', acwSeconds: 20, dispositionCode: 'RESOLVED' }),
    offered(c2, 'nc1-c2', '09:29:50', 'b'),
    // Out of order: c2's answer (in the 09:30 interval) arrives before its queue entry (09:00 interval), and twice.
    c2Answered, c2Answered, c2Queued, released(c2, 'nc1-c2', '09:31:55', 'E1', 'agent', 100),
    offered(c3, 'nc1-c3', '09:10:00', 'c'), queued(c3, 'nc1-c3', '09:10:00'),
    c3(CallAbandoned, '09:10:03', { callId: 'nc1-c3', queueId: 'billing', waitSeconds: 3, position: 1, originalPosition: 1 }),
    offered(c5, 'nc1-c5', '09:45:00', 'e'), queued(c5, 'nc1-c5', '09:45:00'),
    offered(c6, 'nc1-c6', '09:50:00', 'a'), queued(c6, 'nc1-c6', '09:50:00'), answered(c6, 'nc1-c6', '09:50:05', 'E2', 5, 1),
    released(c6, 'nc1-c6', '09:52:05', 'E2', 'caller', 120),
  ];
  const st = (s: string) => (s === 'ready' ? { status: 'ready' as const } : s === 'break' ? { status: 'not-ready' as const, reason: 'break' as const }
    : { status: s as 'on-call' | 'wrap-up', callId: 'nc1-c1' });
  const change = (time: string, from: string, to: string, seconds: number) =>
    a1(AgentStateChanged, time, { agentId: 'E1', extension: '8012', previous: st(from), current: st(to), previousStateSeconds: seconds } as DataOf<typeof AgentStateChanged>);
  const agentEvents: AnyEvent[] = [
    a1(AgentLoggedIn, '08:55:00', { agentId: 'E1', extension: '8012', pbxLinkId: 'nc1', queueIds: ['billing'] }),
    change('09:00:10', 'ready', 'on-call', 310), change('09:05:10', 'on-call', 'wrap-up', 300),
    change('09:05:30', 'wrap-up', 'break', 20), change('09:15:30', 'break', 'ready', 600), change('09:30:15', 'ready', 'on-call', 885),
  ];
  // Late: c4 queued at 09:40 but delivered after everything else.
  const late: AnyEvent[] = [offered(c4, 'nc1-c4', '09:40:00', 'd'), queued(c4, 'nc1-c4', '09:40:00'),
    c4(CallAbandoned, '09:41:00', { callId: 'nc1-c4', queueId: 'billing', waitSeconds: 60, position: 1, originalPosition: 1 })];
  return { first, agentEvents, late, at: (hhmmss: string) => new Date(t(hhmmss)) };
}
