import { headerOf, knownHeaderOf, type AmiFrame } from '../../ami/domain/ami-frame';
import { agentIdOfInterface } from '../../ami/domain/ami-vendor-events';
import { readCallerTier } from '../../call-tracking/domain/caller-tier';
import type { ListedChannel, ListedMember, ListedWaitingCall, QueueListing } from './resync-comparison';

type Frame = Pick<AmiFrame, 'headers'>;
const int = (f: Frame, key: string, fallback: number) => {
  const n = Number.parseInt(headerOf(f, key) ?? '', 10);
  return Number.isFinite(n) ? n : fallback;
};

/** Collects the items of a QueueStatus listing (QueueParams, QueueMember, QueueEntry) until QueueStatusComplete. */
export class QueueListingCollector {
  private readonly members: ListedMember[] = [];
  private readonly entries: (Omit<ListedWaitingCall, 'count' | 'callerTier'> & { readonly uniqueid: string | undefined })[] = [];
  private readonly callsPerQueue = new Map<string, number>();

  add(f: Frame): void {
    const event = headerOf(f, 'Event')?.toLowerCase();
    const queue = headerOf(f, 'Queue') ?? '';
    if (event === 'queueparams') this.callsPerQueue.set(queue, int(f, 'Calls', 0));
    if (event === 'queuemember') {
      const iface = knownHeaderOf(f, 'Location') ?? knownHeaderOf(f, 'Interface') ?? knownHeaderOf(f, 'StateInterface');
      if (iface !== undefined) this.members.push({ agentId: agentIdOfInterface(iface), extension: iface, queue, paused: headerOf(f, 'Paused') === '1', reason: headerOf(f, 'PausedReason') ?? '' });
    }
    if (event === 'queueentry') {
      const callKey = knownHeaderOf(f, 'Linkedid') ?? knownHeaderOf(f, 'Uniqueid');
      if (callKey !== undefined) {
        this.entries.push({
          callKey, uniqueid: knownHeaderOf(f, 'Uniqueid'), queue, position: int(f, 'Position', 1), waitSeconds: int(f, 'Wait', 0), callerNumber: knownHeaderOf(f, 'CallerIDNum') ?? null,
        });
      }
    }
  }

  /**
   * `tiers`: SWITCHBOARD_CALLER_TIER per channel Uniqueid (QueueEntry carries no channel variables; the channel list
   * does); an entry whose channel has a valid one keeps it, an invalid one is left out as on QueueCallerJoin (and named
   * in `invalidCallerTier`, for counting).
   */
  listing(tiers: ReadonlyMap<string, string | undefined> = new Map()): QueueListing {
    const waiting = this.entries.map(({ uniqueid, ...e }): ListedWaitingCall => {
      const tier = readCallerTier(tiers.get(uniqueid ?? e.callKey));
      return { ...e, count: Math.max(this.callsPerQueue.get(e.queue) ?? 0, this.entries.filter((o) => o.queue === e.queue).length),
        ...(tier.kind === 'tier' ? { callerTier: tier.tier } : tier.kind === 'invalid' ? { invalidCallerTier: tier.raw } : {}) };
    });
    return { members: this.members, waiting };
  }
}

/** `PJSIP/1002-0000000a` → the member interface `PJSIP/1002`; Local channels keep their `@context` part. */
export function deviceOfChannel(name: string): string {
  return name.replace(/-[0-9a-f]+(;\d+)?$/i, '');
}

/** One CoreShowChannel item; `isAgentDevice` tells an agent's device from trunks and the like. */
export function listedChannel(f: Frame, isAgentDevice: (agentId: string) => boolean): ListedChannel | undefined {
  const uniqueid = knownHeaderOf(f, 'Uniqueid');
  const name = knownHeaderOf(f, 'Channel');
  if (uniqueid === undefined || name === undefined) return undefined;
  const extension = deviceOfChannel(name);
  const agentId = agentIdOfInterface(extension);
  return {
    uniqueid, callKey: knownHeaderOf(f, 'Linkedid') ?? uniqueid, up: headerOf(f, 'ChannelState') === '6',
    agent: isAgentDevice(agentId) ? { agentId, extension } : null,
  };
}
