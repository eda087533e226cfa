import type { AnyEvent } from '@switchboard/contracts';
import type { Column } from './upsert';

const secondsBefore = (time: string, seconds: number): string => new Date(Date.parse(time) - seconds * 1000).toISOString();

/** Queue and queue-entry time derived from a wait, used until (or unless) the CallQueued itself arrives. */
const derivedQueue = (queueId: string, time: string, waitSeconds: number): Column[] => [
  { name: 'queue_id', value: queueId, merge: 'fill' },
  { name: 'queued_at', value: secondsBefore(time, waitSeconds), merge: 'fill' },
];

/**
 * The columns one call event knows of its queue visit's row (`call-visit.ts` says which row), each with its
 * order-independent merge; undefined for events not projected.
 */
export function callFactColumns(e: AnyEvent): Column[] | undefined {
  switch (e.type) {
    case 'switchboard.telephony.call.offered.v1':
      return [{ name: 'offered_at', value: e.time, merge: 'set' }, { name: 'caller_hash', value: e.data.callerHash, merge: 'set' }];
    case 'switchboard.telephony.call.queued.v1':
      return [{ name: 'queue_id', value: e.data.queueId, merge: 'queued' }, { name: 'queued_at', value: e.time, merge: 'queued' },
        { name: 'queued_exact', value: true, merge: 'set' }];
    case 'switchboard.telephony.call.answered.v1': {
      const first = { earliestBy: 'answered_at' };
      return [...derivedQueue(e.data.queueId, e.time, e.data.waitSeconds),
        { name: 'agent_id', value: e.data.agentId, merge: first }, { name: 'wait_s', value: e.data.waitSeconds, merge: first },
        { name: 'ring_count', value: e.data.ringCount, merge: first }, { name: 'answered_at', value: e.time, merge: first }];
    }
    case 'switchboard.telephony.call.abandoned.v1':
      return [...derivedQueue(e.data.queueId, e.time, e.data.waitSeconds),
        { name: 'abandoned_at', value: e.time, merge: 'set' }, { name: 'wait_s', value: e.data.waitSeconds, merge: 'fill' }];
    case 'switchboard.telephony.call.queue-timed-out.v1':
      return [...derivedQueue(e.data.queueId, e.time, e.data.waitSeconds),
        { name: 'timed_out_at', value: e.time, merge: 'set' }, { name: 'wait_s', value: e.data.waitSeconds, merge: 'fill' }];
    case 'switchboard.telephony.call.resumed.v1':
      // Hold counters run from the visit's answer (the gateway restarts them there), so the largest seen is the visit's.
      return [{ name: 'longest_hold_s', value: e.data.holdSeconds, merge: 'max' }, { name: 'hold_count', value: e.data.holdCount, merge: 'max' },
        { name: 'hold_s', value: e.data.totalHoldSeconds, merge: 'max' }];
    case 'switchboard.telephony.call.transferred.v1':
      // transferCount is the transfer's ordinal within the whole call: the visit's transfers are its first to its last.
      return [{ name: 'transfer_first', value: e.data.transferCount, merge: 'min' }, { name: 'transfer_last', value: e.data.transferCount, merge: 'max' }];
    case 'switchboard.telephony.call.released.v1':
      // Its transferCount counts the whole call (earlier visits' transfers too), so transfers come from CallTransferred.
      return [{ name: 'talk_s', value: e.data.talkSeconds, merge: 'max' }, { name: 'hold_s', value: e.data.totalHoldSeconds, merge: 'max' },
        { name: 'hold_count', value: e.data.holdCount, merge: 'max' },
        { name: 'released_by', value: e.data.releasedBy, merge: { earliestBy: 'released_at' } },
        { name: 'released_at', value: e.time, merge: { earliestBy: 'released_at' } }];
    case 'switchboard.telephony.call.wrap-up-completed.v1':
      // A visit may have several wrap-ups (an attended transfer's target wraps up too): summed, each event once.
      return [{ name: 'acw_s', value: e.data.acwSeconds, merge: { addOnceBy: 'acw_events' } },
        { name: 'acw_events', value: { [e.id]: e.data.acwSeconds }, merge: 'union' }];
    default:
      return undefined;
  }
}
