import {
  CallAbandoned, CallAnswered, CallOffered, CallQueued, CallQueueTimedOut, CallReleased, CallResumed, CallTransferred,
  CallWrapUpCompleted, createEnvelope, type AnyEvent, type DataOf, type EventDefinition,
} from '@switchboard/contracts';

/**
 * Contract-valid events of `count` synthetic calls from `startMs`, 7 s apart, for fault tests and benchmarks: most
 * answered (some held), every 10th abandoned, every 13th timed out, every 11th blindly transferred back into its queue
 * (a second visit), callers repeating across 5,000 hashes. Deterministic: the same `n` gives the same events and ids.
 */
export function syntheticCall(n: number, startMs = Date.parse('2025-03-01T00:00:00Z')): AnyEvent[] {
  const base = startMs + n * 7_000;
  const callId = `syn-${n}`;
  let seq = 0;
  const ev = <E extends EventDefinition>(def: E, offsetMs: number, data: DataOf<E>) => createEnvelope(def, {
    service: 'telephony-gateway', site: 'bench', tenant: 'acme', subject: callId, sequence: ++seq,
    id: `0190f3a2-${(n % 65536).toString(16).padStart(4, '0')}-7${seq.toString(16).padStart(3, '0')}-8${(Math.floor(n / 65536) % 4096).toString(16).padStart(3, '0')}-${n.toString(16).padStart(12, '0')}`,
    time: new Date(base + offsetMs), data,
  }) as unknown as AnyEvent;
  const queueId = `q${n % 8}`;
  const agentId = `a${n % 50}`;
  const wait = n % 40;
  const events = [
    ev(CallOffered, 0, { callId, pbxLinkId: 'b1', direction: 'inbound', channel: 'voice', callerHash: (n % 5000).toString(16).padStart(64, '0'), callerMasked: '138****0000', dialedNumber: '95598' }),
    ev(CallQueued, 1000, { callId, queueId, skillId: 's', position: 1, queueLength: 1, queueVisit: 1 }),
  ];
  if (n % 10 === 0) return [...events, ev(CallAbandoned, 1000 + wait * 1000, { callId, queueId, waitSeconds: wait, position: 1, originalPosition: 1, queueVisit: 1 })];
  if (n % 13 === 0) return [...events, ev(CallQueueTimedOut, 61_000, { callId, queueId, waitSeconds: 60, position: 1, originalPosition: 1, queueVisit: 1 })];
  const answeredAt = 1000 + wait * 1000;
  events.push(ev(CallAnswered, answeredAt, { callId, queueId, agentId, extension: '8000', waitSeconds: wait, ringCount: n % 4, ringDurationMs: 3000, queueVisit: 1 }));
  if (n % 7 === 0) events.push(ev(CallResumed, answeredAt + 40_000, { callId, agentId, holdCount: 1, holdSeconds: 20 + (n % 150), totalHoldSeconds: 20 + (n % 150) }));
  if (n % 11 === 0) {
    const second = `a${(n + 1) % 50}`;
    events.push(
      ev(CallTransferred, answeredAt + 60_000, { callId, fromAgentId: agentId, transferType: 'blind', target: { kind: 'queue', queueId }, transferCount: 1 }),
      ev(CallQueued, answeredAt + 61_000, { callId, queueId, skillId: 's', position: 1, queueLength: 1, queueVisit: 2 }),
      ev(CallWrapUpCompleted, answeredAt + 70_000, { callId, agentId, acwSeconds: 9, dispositionCode: 'TRANSFERRED' }),
      ev(CallAnswered, answeredAt + 76_000, { callId, queueId, agentId: second, extension: '8001', waitSeconds: 15, ringCount: 1, ringDurationMs: 3000, queueVisit: 2 }),
      ev(CallReleased, answeredAt + 200_000, { callId, agentId: second, releasedBy: 'caller', talkSeconds: 124, holdCount: 0, totalHoldSeconds: 0, transferCount: 1 }),
      ev(CallWrapUpCompleted, answeredAt + 230_000, { callId, agentId: second, acwSeconds: 30, dispositionCode: 'RESOLVED' }),
    );
    return events;
  }
  const held = n % 7 === 0 ? 20 + (n % 150) : 0;
  events.push(
    ev(CallReleased, 200_000, { callId, agentId, releasedBy: n % 9 === 0 ? 'agent' : 'caller', talkSeconds: 200 - answeredAt / 1000, holdCount: held ? 1 : 0, totalHoldSeconds: held, transferCount: 0 }),
    ev(CallWrapUpCompleted, 230_000, { callId, agentId, acwSeconds: 30, dispositionCode: 'RESOLVED' }),
  );
  return events;
}

export const syntheticCalls = (count: number, startMs?: number): AnyEvent[] =>
  Array.from({ length: count }, (_, n) => syntheticCall(n, startMs)).flat();
