import { telephonyCallEvents } from './telephony-call.events';
import { telephonyAgentEvents } from './telephony-agent.events';
import { telephonyPbxEvents } from './telephony-pbx.events';
import { routingAssignmentEvents } from './routing-assignment.events';
import { routingFloorEvents } from './routing-floor.events';
import { trainingCertificationEvents } from './training-certification.events';
import type { EnvelopeOf, EventDefinition } from './define-event';

/** Every published event definition, in a stable order (drives AsyncAPI, schema snapshots and fixtures). */
export const allEvents = [
  ...telephonyCallEvents,
  ...telephonyAgentEvents,
  ...telephonyPbxEvents,
  ...routingAssignmentEvents,
  ...routingFloorEvents,
  ...trainingCertificationEvents,
] as const;

/** The catalog by event name: `Events.CallAnswered.type`, `Events.CallAnswered.check.Check(x)`, … */
export const Events = Object.freeze(
  Object.fromEntries(allEvents.map((e) => [e.name, e])) as { [K in (typeof allEvents)[number] as K['name']]: K },
);

export type AnyEventDefinition = (typeof allEvents)[number];
export type EventType = AnyEventDefinition['type'];
/** Union of every typed envelope; narrow on `type`. */
export type AnyEvent = { [K in AnyEventDefinition as K['name']]: EnvelopeOf<K> }[AnyEventDefinition['name']];
/** The typed envelope for one event type string. */
export type EventOfType<T extends EventType> = Extract<AnyEvent, { type: T }>;

const byType: ReadonlyMap<string, EventDefinition> = new Map(allEvents.map((e) => [e.type, e as EventDefinition]));

/** The definition for a `type`, or undefined for a type this version of the contract does not know. */
export function eventDefinition(type: string): EventDefinition | undefined {
  return byType.get(type);
}

export function isKnownEventType(type: string): type is EventType {
  return byType.has(type);
}
