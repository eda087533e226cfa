import { v7 as uuidv7 } from 'uuid';
import type { DataOf, EnvelopeOf, EventDefinition } from '../catalog/define-event';
import { DATA_CONTENT_TYPE, SPEC_VERSION } from './envelope.schema';
import { collectErrors, ContractViolationError } from './validation';

/** Where ids and time come from when the caller does not pass them. Injected, so `createEnvelope` stays pure. */
export interface EnvelopeDeps {
  newId(): string;
  now(): Date;
}

/** Real clock and UUIDv7 generator, for composition roots and adapters only (never in domain code). */
export const systemEnvelopeDeps: EnvelopeDeps = { newId: () => uuidv7(), now: () => new Date() };

export interface EnvelopeInput<D> {
  /** Producing service, e.g. `telephony-gateway`; becomes `source` = `/switchboard/<service>[/<site>]`. */
  readonly service: string;
  /** Site where the fact happened; also appended to `source`. */
  readonly site: string;
  readonly tenant: string;
  /** Aggregate id; the Kafka key. */
  readonly subject: string;
  /** Per-subject position, 1-based, no gaps. */
  readonly sequence: number;
  readonly data: D;
  /** UUIDv7. Taken from `deps.newId()` when absent. */
  readonly id?: string;
  /** When it happened at the source. Taken from `deps.now()` when absent. */
  readonly time?: string | Date;
  /** Defaults to the event's own id (a root event starts its own correlation). */
  readonly correlationid?: string;
  /** Defaults to the event's own id (a root event has no cause). */
  readonly causationid?: string;
}

export function sourceOf(service: string, site?: string): string {
  return site === undefined ? `/switchboard/${service}` : `/switchboard/${service}/${site}`;
}

function injected(deps: EnvelopeDeps | undefined, what: string): EnvelopeDeps {
  if (deps === undefined) throw new Error(`createEnvelope: pass "${what}" or inject EnvelopeDeps`);
  return deps;
}

/**
 * Builds and validates a typed CloudEvents envelope. Pure: with `id` and `time` in the input it reads no clock and
 * no randomness; otherwise it asks the injected `deps`. Throws `ContractViolationError` naming every bad field.
 */
export function createEnvelope<E extends EventDefinition>(
  definition: E,
  input: EnvelopeInput<DataOf<E>>,
  deps?: EnvelopeDeps,
): EnvelopeOf<E> {
  const id = input.id ?? injected(deps, 'id').newId();
  const time = input.time ?? injected(deps, 'time').now();
  const envelope = {
    specversion: SPEC_VERSION,
    id,
    source: sourceOf(input.service, input.site),
    type: definition.type,
    subject: input.subject,
    time: typeof time === 'string' ? time : time.toISOString(),
    datacontenttype: DATA_CONTENT_TYPE,
    tenant: input.tenant,
    site: input.site,
    sequence: input.sequence,
    correlationid: input.correlationid ?? id,
    causationid: input.causationid ?? id,
    data: input.data,
  };
  const errors = collectErrors(definition.check, envelope);
  if (errors.length > 0) throw new ContractViolationError(definition.type, errors);
  return envelope as unknown as EnvelopeOf<E>;
}
