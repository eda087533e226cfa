import type { VendorEvent } from '../../call-tracking/domain/vendor-events';
import { CALLER_TIER_VARIABLE, callerTierOf } from '../../call-tracking/domain/caller-tier';
import { channelVariableOf, headerOf, knownHeaderOf, type AmiFrame } from './ami-frame';

type Frame = Pick<AmiFrame, 'headers'>;
type Translate = (f: Frame, at: number) => VendorEvent[];

/** `Timestamp: 1741000000.123456` (timestampevents=yes) → epoch ms; list items and FullyBooted have none. */
export function amiTimeMs(frame: Frame, receivedAtMs: number): number {
  const ts = Number(headerOf(frame, 'Timestamp'));
  return Number.isFinite(ts) && ts > 0 ? Math.round(ts * 1000) : receivedAtMs;
}

/** Member interface → agent id: `PJSIP/1002` → `1002`, `Local/1007@agents/n` → `1007`. */
export function agentIdOfInterface(iface: string): string {
  const afterTech = iface.includes('/') ? iface.slice(iface.indexOf('/') + 1) : iface;
  return afterTech.split(/[@/]/)[0] || iface;
}

const int = (f: Frame, key: string, fallback = 0) => {
  const n = Number.parseInt(headerOf(f, key) ?? '', 10);
  return Number.isFinite(n) ? n : fallback;
};
// Asterisk <= 11 had no Linkedid on some events; the caller's Uniqueid is the same call then.
const callKeyOf = (f: Frame, prefix = '') => knownHeaderOf(f, `${prefix}Linkedid`) ?? knownHeaderOf(f, `${prefix}Uniqueid`);

function member(f: Frame) {
  // QueueStatus list items say Name/Location; broadcast events MemberName/Interface; Asterisk <= 11 AgentCalled said AgentCalled.
  const iface = knownHeaderOf(f, 'Interface') ?? knownHeaderOf(f, 'Location') ?? knownHeaderOf(f, 'AgentCalled') ?? knownHeaderOf(f, 'StateInterface');
  if (iface === undefined) return undefined;
  return { agentId: agentIdOfInterface(iface), extension: iface, queue: headerOf(f, 'Queue') ?? '' };
}

const onCall = (build: (f: Frame, at: number, callKey: string) => VendorEvent | undefined): Translate => (f, at) => {
  const callKey = callKeyOf(f);
  const e = callKey === undefined ? undefined : build(f, at, callKey);
  return e === undefined ? [] : [e];
};
const onMemberCall = (build: (f: Frame, base: { at: number; callKey: string; agentId: string; extension: string; queue: string }) => VendorEvent): Translate =>
  onCall((f, at, callKey) => {
    const m = member(f);
    return m === undefined ? undefined : build(f, { at, callKey, ...m });
  });
const onMember = (build: (f: Frame, base: { at: number; agentId: string; extension: string; queue: string }) => VendorEvent): Translate => (f, at) => {
  const m = member(f);
  return m === undefined ? [] : [build(f, { at, ...m })];
};
const pause = (f: Frame) => ({ paused: headerOf(f, 'Paused') === '1', reason: headerOf(f, 'PausedReason') ?? '' });

const tierOf = (f: Frame) => {
  const callerTier = callerTierOf(channelVariableOf(f, CALLER_TIER_VARIABLE));
  return callerTier === undefined ? {} : { callerTier };
};

const completionReason = (r: string | undefined) => (r === 'caller' || r === 'agent' || r === 'transfer' ? r : 'other');

const TRANSLATIONS: Record<string, Translate> = {
  queuecallerjoin: onCall((f, at, callKey) => ({
    type: 'CallerJoinedQueue', at, callKey, queue: headerOf(f, 'Queue') ?? '', position: int(f, 'Position', 1), count: int(f, 'Count', 1),
    callerNumber: knownHeaderOf(f, 'CallerIDNum') ?? null, dialedNumber: knownHeaderOf(f, 'Exten') ?? null, channel: knownHeaderOf(f, 'Channel'),
    ...tierOf(f),
  })),
  queuecallerabandon: onCall((f, at, callKey) => ({
    type: 'CallerAbandonedQueue', at, callKey, queue: headerOf(f, 'Queue') ?? '', position: int(f, 'Position', 1), originalPosition: int(f, 'OriginalPosition', 1),
  })),
  queuecallerleave: onCall((f, at, callKey) => ({ type: 'CallerLeftQueue', at, callKey, queue: headerOf(f, 'Queue') ?? '', position: int(f, 'Position', 1) })),
  // Queue() sets QUEUESTATUS on the caller channel when it lets the caller go alive (TIMEOUT, LEAVEEMPTY, …).
  varset: onCall((f, at, callKey) => headerOf(f, 'Variable') === 'QUEUESTATUS' && headerOf(f, 'Uniqueid') === callKey
    ? { type: 'QueueExited', at, callKey, status: headerOf(f, 'Value') ?? '' } : undefined),
  agentcalled: onMemberCall((_f, b) => ({ type: 'AgentOffered', ...b })),
  // RingTime here is milliseconds; AgentConnect's is seconds (reference §3.3 gotcha 2).
  agentringnoanswer: onMemberCall((f, b) => ({ type: 'AgentRangNoAnswer', ...b, ringMs: int(f, 'RingTime') })),
  agentconnect: onMemberCall((f, b) => ({ type: 'AgentAnswered', ...b, ringSeconds: int(f, 'RingTime') })),
  agentcomplete: (f, at) => {
    const m = member(f);
    return m === undefined ? [] : [{ type: 'AgentCallCompleted', at, ...m, callKey: callKeyOf(f) ?? null, reason: completionReason(headerOf(f, 'Reason')) }];
  },
  hold: onCall((_f, at, callKey) => ({ type: 'CallHoldChanged', at, callKey, held: true })),
  unhold: onCall((_f, at, callKey) => ({ type: 'CallHoldChanged', at, callKey, held: false })),
  blindtransfer: (f, at) => transfer(f, at, 'blind', headerOf(f, 'Extension')),
  attendedtransfer: (f, at) => transfer(f, at, 'attended', knownHeaderOf(f, 'TransferTargetCallerIDNum') ?? knownHeaderOf(f, 'TransferTargetExten')),
  bridgeenter: onCall((f, at, callKey) => int(f, 'BridgeNumChannels') >= 3
    ? { type: 'ConferenceJoined', at, callKey, participants: int(f, 'BridgeNumChannels'), party: knownHeaderOf(f, 'CallerIDNum') ?? 'unknown' } : undefined),
  hangup: onCall((f, at, callKey) => ({ type: 'ChannelHungUp', at, callKey, callerLeg: headerOf(f, 'Uniqueid') === callKey })),
  // The file is read outside the domain (MixMonitorFiles + the inspection); the call only learns to wait for it.
  mixmonitorstop: onCall((f, at, callKey) => {
    const channel = knownHeaderOf(f, 'Uniqueid');
    return channel === undefined ? undefined : { type: 'RecordingStopped', at, callKey, channel };
  }),
  queuememberadded: onMember((f, b) => ({ type: 'MemberAdded', ...b, ...pause(f) })),
  queuemember: onMember((f, b) => ({ type: 'MemberAdded', ...b, ...pause(f) })),
  queuememberremoved: onMember((_f, b) => ({ type: 'MemberRemoved', ...b })),
  queuememberpause: onMember((f, b) => ({ type: 'MemberPauseChanged', ...b, ...pause(f) })),
};
// Asterisk <= 11 names (PAMI issue #104).
TRANSLATIONS.join = TRANSLATIONS.queuecallerjoin;
TRANSLATIONS.queuememberpaused = TRANSLATIONS.queuememberpause;

function transfer(f: Frame, at: number, kind: 'blind' | 'attended', target: string | undefined): VendorEvent[] {
  const callKey = callKeyOf(f, 'Transferee');
  if (callKey === undefined || target === undefined || headerOf(f, 'Result') === 'Fail') return [];
  return [{ type: 'CallTransferStarted', at, callKey, kind, target }];
}

/** AMI event frame → vendor events (none for events the gateway does not interpret; they stay in the raw archive). */
export function translateAmiEvent(frame: Frame, receivedAtMs: number): VendorEvent[] {
  const name = headerOf(frame, 'Event')?.toLowerCase();
  const translate = name === undefined ? undefined : TRANSLATIONS[name];
  return translate === undefined ? [] : translate(frame, amiTimeMs(frame, receivedAtMs));
}
