import type { EventDefinition } from './catalog/define-event';
import { telephonyCallEvents } from './catalog/telephony-call.events';
import { telephonyAgentEvents } from './catalog/telephony-agent.events';
import { telephonyPbxEvents } from './catalog/telephony-pbx.events';
import { routingAssignmentEvents } from './catalog/routing-assignment.events';
import { routingFloorEvents } from './catalog/routing-floor.events';
import { trainingCertificationEvents } from './catalog/training-certification.events';

/**
 * The topic registry: THE ONLY PLACE IN THE REPO WHERE TOPIC NAMES ARE WRITTEN (a unit test greps for others).
 *
 * Event topics keep events forever (`retention.ms=-1`, `cleanup.policy=delete`): projections are rebuilt from
 * offset 0 and integrators replay. Compaction would keep only the last event per aggregate, so it is never used on
 * event topics.
 */
export interface TopicConfig {
  readonly 'cleanup.policy': 'delete' | 'compact';
  /** -1 = keep forever */
  readonly 'retention.ms': number;
}
// Replication factor and min.insync.replicas are deployment choices (1 on the local single broker, 3/2 in
// production), so they live in deploy/, not in the contract.

export interface TopicDefinition {
  readonly name: string;
  readonly description: string;
  /** What the record key is; the key decides the partition and therefore the ordering scope. */
  readonly key: string;
  readonly partitions: number;
  readonly config: TopicConfig;
  /**
   * `cloudevents-structured`: value is a JSON CloudEvent, one of `events`.
   * `cloudevents-structured-raw`: value is a JSON CloudEvent carrying an unparsed frame in `data_base64` (see pbx-raw.ts).
   */
  readonly format: 'cloudevents-structured' | 'cloudevents-structured-raw';
  readonly events: readonly EventDefinition[];
  readonly dlq: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const forever: TopicConfig = { 'cleanup.policy': 'delete', 'retention.ms': -1 };

/** `<topic>.dlq`; reason and origin travel in the headers listed in `DlqHeaders`. */
export const dlqTopicOf = (topic: string): string => `${topic}.dlq`;
/** Dead letters are kept long enough to be inspected and replayed after a fix. */
export const DLQ_CONFIG: TopicConfig = { 'cleanup.policy': 'delete', 'retention.ms': 30 * DAY_MS };
export const DLQ_PARTITIONS = 1;

function topic(t: Omit<TopicDefinition, 'dlq'>): TopicDefinition {
  return Object.freeze({ ...t, dlq: dlqTopicOf(t.name) });
}

export const Topics = {
  telephonyCall: topic({
    name: 'telephony.call.events.v1',
    description: 'Canonical call lifecycle from the telephony gateway, including recording availability.',
    key: 'call id (the subject of every event on the topic)',
    partitions: 12,
    config: forever,
    format: 'cloudevents-structured',
    events: telephonyCallEvents,
  }),
  telephonyAgent: topic({
    name: 'telephony.agent.events.v1',
    description: 'Agent sessions and states from the PBX/CTI.',
    key: 'agent id',
    partitions: 6,
    config: forever,
    format: 'cloudevents-structured',
    events: telephonyAgentEvents,
  }),
  telephonyPbx: topic({
    name: 'telephony.pbx.events.v1',
    description: 'PBX/CTI link health and telephony incidents (GW-14).',
    key: 'PBX link id',
    partitions: 1,
    config: forever,
    format: 'cloudevents-structured',
    events: telephonyPbxEvents,
  }),
  telephonyPbxRaw: topic({
    name: 'telephony.pbx-raw.v2',
    description: 'Every frame received from every PBX/CTI link, unparsed (bytes in data_base64), for replay and forensics. Replaces v1 (binary mode, ce_* headers); see ADR 0011.',
    key: 'PBX link id (per-link order = arrival order)',
    partitions: 6,
    config: { 'cleanup.policy': 'delete', 'retention.ms': 400 * DAY_MS },
    format: 'cloudevents-structured-raw',
    events: [],
  }),
  routingAssignment: topic({
    name: 'routing.assignment.events.v1',
    description: 'Routing decisions: assignments (with explanation), overflows, unroutable calls, re-offers.',
    key: 'call id',
    partitions: 12,
    config: forever,
    format: 'cloudevents-structured',
    events: routingAssignmentEvents,
  }),
  routingFloor: topic({
    name: 'routing.floor.events.v1',
    description: 'Floor-management alerts: agent-state limits broken (busy, break, meal, away; team break quota).',
    key: 'team id',
    partitions: 3,
    config: forever,
    format: 'cloudevents-structured',
    events: routingFloorEvents,
  }),
  trainingCertification: topic({
    name: 'training.certification.events.v1',
    description: 'Skill certifications, the only source of routable skills (RT-08).',
    key: 'agent id',
    partitions: 3,
    config: forever,
    format: 'cloudevents-structured',
    events: trainingCertificationEvents,
  }),
} as const satisfies Record<string, TopicDefinition>;

export type TopicKey = keyof typeof Topics;
export const allTopics: readonly TopicDefinition[] = Object.values(Topics);

const topicByEventType = new Map<string, TopicDefinition>(allTopics.flatMap((t) => t.events.map((e) => [e.type, t] as const)));

/** The topic an event type is published on. Throws for a type that is on no topic (a programming error). */
export function topicOf(eventType: string): TopicDefinition {
  const t = topicByEventType.get(eventType);
  if (t === undefined) throw new Error(`No topic carries event type ${eventType}`);
  return t;
}

export function topicByName(name: string): TopicDefinition | undefined {
  return allTopics.find((t) => t.name === name || t.dlq === name);
}

/** Headers on every dead-lettered record, in addition to the original record's headers. */
export const DlqHeaders = {
  /** `invalid-json` | `invalid-envelope` | `invalid-data` | `handler-error` */
  reason: 'dlq-reason',
  /** Human-readable detail, e.g. `data.waitSeconds: expected number`. */
  error: 'dlq-error',
  originalTopic: 'dlq-original-topic',
  originalPartition: 'dlq-original-partition',
  originalOffset: 'dlq-original-offset',
  consumerGroup: 'dlq-consumer-group',
  /** How many times the handler was tried before dead-lettering. */
  attempts: 'dlq-attempts',
  /** RFC 3339 time of dead-lettering. */
  failedAt: 'dlq-failed-at',
} as const;
export type DlqReason = 'invalid-json' | 'invalid-envelope' | 'invalid-data' | 'handler-error';
