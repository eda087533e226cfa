import {
  CallAbandoned, CallAnswered, CallOffered, CallQueued, CallQueueTimedOut, CallReleased, CallResumed, CallTransferred,
  CallWrapUpCompleted, createEnvelope, DataOf, EventDefinition, type AnyEvent,
} from '@switchboard/contracts';

/**
 * Contract-valid envelopes of queue visits and queue timeouts, 10:00–10:15 Asia/Shanghai, in each call's own order:
 * - c7: billing visit 1 answered by E1 after 12 s, blindly transferred back into billing; visit 2 answered by E2
 *   after 30 s, one hold of 10 s, released by the caller; E1's wrap-up ends after the call re-queued.
 * - t1: billing, the queue gave up after 18 s (no `queueVisit` on its CallQueued: read as 1).
 * - t2: sales, the queue gave up after 300 s.
 * - a1: billing, the caller hung up after 8 s.
 */
const iso = (hhmmss: string) => new Date(`2025-03-14T${hhmmss}+08:00`).toISOString();
let counter = 0;
const nextId = () => `0190f3a2-5b1c-7${(0x800 + counter++).toString(16)}-8a4e-2c0e9a1f7b33`;

function builder(subject: string) {
  let sequence = 0;
  return <E extends EventDefinition>(def: E, time: string, data: DataOf<E>): AnyEvent =>
    createEnvelope(def, { service: 'telephony-gateway', site: 'nanchang', tenant: 'acme', subject, sequence: ++sequence, id: nextId(), time: iso(time), data }) as unknown as AnyEvent;
}

const offer = (e: ReturnType<typeof builder>, callId: string, time: string, caller: string) => e(CallOffered, time,
  { callId, pbxLinkId: 'nc1', direction: 'inbound', channel: 'voice', callerHash: caller.repeat(64).slice(0, 64), callerMasked: '138****5678', dialedNumber: '95598' });

export function queueVisitDay() {
  counter = 0;
  const [c7, t1, t2, a1] = ['nc1-c7', 'nc1-t1', 'nc1-t2', 'nc1-a1'].map(builder);
  const calls: AnyEvent[][] = [[
    offer(c7, 'nc1-c7', '10:00:00', '7'),
    c7(CallQueued, '10:00:00', { callId: 'nc1-c7', queueId: 'billing', skillId: 'billing', position: 1, queueLength: 1, queueVisit: 1 }),
    c7(CallAnswered, '10:00:12', { callId: 'nc1-c7', queueId: 'billing', agentId: 'E1', extension: '8011', waitSeconds: 12, ringCount: 1, ringDurationMs: 3000, queueVisit: 1 }),
    c7(CallTransferred, '10:01:12', { callId: 'nc1-c7', fromAgentId: 'E1', transferType: 'blind', target: { kind: 'queue', queueId: 'billing' }, transferCount: 1 }),
    c7(CallReleased, '10:01:12', { callId: 'nc1-c7', agentId: 'E1', releasedBy: 'agent', talkSeconds: 60, holdCount: 0, totalHoldSeconds: 0, transferCount: 1 }),
    c7(CallQueued, '10:01:20', { callId: 'nc1-c7', queueId: 'billing', skillId: 'billing', position: 1, queueLength: 1, queueVisit: 2 }),
    c7(CallWrapUpCompleted, '10:01:40', { callId: 'nc1-c7', agentId: 'E1', acwSeconds: 15, dispositionCode: 'TRANSFERRED' }),
    c7(CallAnswered, '10:01:50', { callId: 'nc1-c7', queueId: 'billing', agentId: 'E2', extension: '8012', waitSeconds: 30, ringCount: 1, ringDurationMs: 3000, queueVisit: 2 }),
    c7(CallResumed, '10:02:30', { callId: 'nc1-c7', agentId: 'E2', holdCount: 1, holdSeconds: 10, totalHoldSeconds: 10 }),
    // transferCount counts the whole call: visit 2 made no transfer of its own.
    c7(CallReleased, '10:03:20', { callId: 'nc1-c7', agentId: 'E2', releasedBy: 'caller', talkSeconds: 90, holdCount: 1, totalHoldSeconds: 10, transferCount: 1 }),
    c7(CallWrapUpCompleted, '10:03:40', { callId: 'nc1-c7', agentId: 'E2', acwSeconds: 20, dispositionCode: 'RESOLVED' }),
  ], [
    offer(t1, 'nc1-t1', '10:05:00', '8'),
    t1(CallQueued, '10:05:00', { callId: 'nc1-t1', queueId: 'billing', skillId: 'billing', position: 1, queueLength: 1 }),
    t1(CallQueueTimedOut, '10:05:18', { callId: 'nc1-t1', queueId: 'billing', waitSeconds: 18, position: 1, originalPosition: 1, queueVisit: 1 }),
  ], [
    offer(t2, 'nc1-t2', '10:06:00', '9'),
    t2(CallQueued, '10:06:00', { callId: 'nc1-t2', queueId: 'sales', skillId: 'sales', position: 1, queueLength: 1, queueVisit: 1 }),
    t2(CallQueueTimedOut, '10:11:00', { callId: 'nc1-t2', queueId: 'sales', waitSeconds: 300, position: 1, originalPosition: 1, queueVisit: 1 }),
  ], [
    offer(a1, 'nc1-a1', '10:07:00', 'f'),
    a1(CallQueued, '10:07:00', { callId: 'nc1-a1', queueId: 'billing', skillId: 'billing', position: 1, queueLength: 1, queueVisit: 1 }),
    a1(CallAbandoned, '10:07:08', { callId: 'nc1-a1', queueId: 'billing', waitSeconds: 8, position: 1, originalPosition: 1, queueVisit: 1 }),
  ]];
  return { calls, inOrder: calls.flat(), at: (hhmmss: string) => new Date(iso(hhmmss)) };
}
