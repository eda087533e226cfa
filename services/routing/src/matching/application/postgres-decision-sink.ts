import type { PoolClient } from 'pg';
import type { PostgresEventStore } from '@switchboard/eventsourcing';
import type { RoutingDecision } from '../domain/routing-decision.events';
import { toContract, toOutbox, type PublishContext } from './to-integration-events';

export const callStreamId = (callId: string) => `routing-call-${callId}`;


/**
 * Appends each call's decisions to its stream (`routing-call-<callId>`) with the contract events in the outbox,
 * inside the transaction that journals the input which caused them; published events are numbered
 * (`sequence`) without gaps, internal-only decisions skipped.
 */
export class PostgresDecisionSink {
  constructor(private readonly store: PostgresEventStore, private readonly ctx: PublishContext) {}

  async recordWithin(client: PoolClient, decisions: readonly RoutingDecision[]): Promise<void> {
    const byCall = new Map<string, RoutingDecision[]>();
    for (const d of decisions) byCall.set(d.data.callId, [...(byCall.get(d.data.callId) ?? []), d]);
    for (const [callId, ds] of byCall) {
      const { events, version } = await this.store.readStream(callStreamId(callId), client);
      const publishedSoFar = events.filter((e) => toContract(e.data as RoutingDecision) !== null).length;
      await this.store.appendWithin(client, callStreamId(callId), ds.map((d) => ({ type: d.type, data: d })), {
        expectedVersion: version, outbox: toOutbox(this.ctx, callId, ds, publishedSoFar + 1),
      });
    }
  }

  /** The latest assignment of a call, for ExplainRouting. */
  async lastAssignment(callId: string): Promise<Extract<RoutingDecision, { type: 'CallAssigned' }> | undefined> {
    const { events } = await this.store.readStream(callStreamId(callId));
    const assigned = events.map((e) => e.data as RoutingDecision).filter((d) => d.type === 'CallAssigned');
    return assigned[assigned.length - 1] as Extract<RoutingDecision, { type: 'CallAssigned' }> | undefined;
  }
}
