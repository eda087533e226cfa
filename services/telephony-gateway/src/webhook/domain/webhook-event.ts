import { collectErrors, DATA_CONTENT_TYPE, eventDefinition, sourceOf, SPEC_VERSION, Topics, type EventDefinition, type FieldError } from '@switchboard/contracts';

/**
 * What another CTI posts: one canonical event without the envelope fields the gateway owns (source, tenant, site,
 * sequence). `id` is the client's UUIDv7, kept as the event id: a retry with the same id is accepted once.
 */
export interface WebhookEvent {
  readonly id: string;
  readonly type: string;
  readonly subject: string;
  readonly time: string;
  readonly data: Record<string, unknown>;
}

export interface AcceptedWebhookEvent extends WebhookEvent {
  readonly definition: EventDefinition;
}

export interface EnvelopeScope { readonly tenant: string; readonly site: string; readonly service: string }

/** Topics a CTI may publish to, and the data field the subject must equal. */
const SUBJECT_FIELD = new Map<string, string>([
  ...Topics.telephonyCall.events.map((e) => [e.type, 'callId'] as const),
  ...Topics.telephonyAgent.events.map((e) => [e.type, 'agentId'] as const),
]);

export const ACCEPTED_TYPES: readonly string[] = [...SUBJECT_FIELD.keys()];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function shapeErrors(body: Record<string, unknown>): FieldError[] {
  const errors: FieldError[] = ['id', 'type', 'subject', 'time'].filter((k) => typeof body[k] !== 'string').map((path) => ({ path, message: 'expected string' }));
  if (!isObject(body.data)) errors.push({ path: 'data', message: 'expected object' });
  return errors;
}

/** Validates a posted body against the contract of its `type`; field errors name the path (`data.waitSeconds`). */
export function parseWebhookEvent(body: unknown, scope: EnvelopeScope): { event: AcceptedWebhookEvent } | { errors: FieldError[] } {
  if (!isObject(body)) return { errors: [{ path: '(root)', message: 'expected an object with id, type, subject, time and data' }] };
  const shape = shapeErrors(body);
  if (shape.length > 0) return { errors: shape };
  const event = body as unknown as WebhookEvent;
  const definition = eventDefinition(event.type);
  const subjectField = SUBJECT_FIELD.get(event.type);
  if (definition === undefined || subjectField === undefined) {
    return { errors: [{ path: 'type', message: `not an accepted event type; expected one of ${ACCEPTED_TYPES.join(', ')}` }] };
  }
  const candidate = {
    specversion: SPEC_VERSION, id: event.id, source: sourceOf(scope.service, scope.site), type: event.type, subject: event.subject, time: event.time,
    datacontenttype: DATA_CONTENT_TYPE, tenant: scope.tenant, site: scope.site, sequence: 1, correlationid: event.id, causationid: event.id, data: event.data,
  };
  const errors = collectErrors(definition.check, candidate);
  // The contract tolerates extra fields for evolution; from outside they could smuggle clear numbers onto a public topic.
  const known = new Set(Object.keys(definition.data.properties));
  errors.push(...Object.keys(event.data).filter((k) => !known.has(k)).map((k) => ({ path: `data.${k}`, message: 'unknown field' })));
  if (errors.length === 0 && event.data[subjectField] !== event.subject) errors.push({ path: 'subject', message: `must equal data.${subjectField}` });
  if (errors.length > 0) return { errors };
  return { event: { id: event.id, type: event.type, subject: event.subject, time: event.time, data: event.data, definition } };
}

const VISIT_SCOPED = new Set(['CallQueued', 'CallRinging', 'CallAnswered', 'CallAbandoned', 'CallQueueTimedOut']);

/** Whether the event belongs to a queue visit (and so carries `queueVisit`). */
export const isQueueVisitScoped = (e: Pick<AcceptedWebhookEvent, 'definition'>): boolean => VISIT_SCOPED.has(e.definition.name);

/**
 * The call's queue visit for a posted event, given the visits the gateway counted for that call so far: a CTI that
 * sends `queueVisit` is taken at its word; otherwise `CallQueued` starts the next visit and the other queue-scoped
 * events belong to the current one (1 when none was counted).
 */
export function queueVisitOf(e: AcceptedWebhookEvent, visitsSoFar: number): { data: Record<string, unknown>; visits: number } {
  const given = e.data.queueVisit;
  if (typeof given === 'number') return { data: e.data, visits: Math.max(visitsSoFar, given) };
  const visit = e.definition.name === 'CallQueued' ? visitsSoFar + 1 : Math.max(1, visitsSoFar);
  return { data: { ...e.data, queueVisit: visit }, visits: Math.max(visitsSoFar, visit) };
}
