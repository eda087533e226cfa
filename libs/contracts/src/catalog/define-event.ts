import { type Static, type TObject } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { envelopeSchemaFor, type CloudEvent } from '../envelope/envelope.schema';

/**
 * One definition per event. From it come the TypeScript types (`DataOf`, `EnvelopeOf`), the compiled runtime
 * validator (`check`) and the JSON Schema (`schema`, the full envelope). Nothing else describes an event.
 */
export interface EventDefinition<T extends string = string, D extends TObject = TObject> {
  /** PascalCase, past tense: `CallAnswered`. */
  readonly name: string;
  /** `switchboard.<context>.<aggregate>.<event>.v<N>` */
  readonly type: T;
  readonly description: string;
  /** What `subject` (and the Kafka key) is for this event. */
  readonly subject: string;
  /** JSON Schema of `data`. */
  readonly data: D;
  /** JSON Schema of the full CloudEvents envelope. */
  readonly schema: TObject;
  /** Compiled validator of the full envelope. */
  readonly check: TypeCheck<TObject>;
}

export type DataOf<E extends EventDefinition> = E extends EventDefinition<string, infer D> ? Readonly<Static<D>> : never;
export type EnvelopeOf<E extends EventDefinition> =
  E extends EventDefinition<infer T, infer D> ? CloudEvent<T, Readonly<Static<D>>> : never;

interface EventSpec<T extends string, D extends TObject> {
  name: string;
  type: T;
  description: string;
  subject: string;
  data: D;
}

export function defineEvent<const T extends string, D extends TObject>(spec: EventSpec<T, D>): EventDefinition<T, D> {
  const schema = envelopeSchemaFor(spec.type, spec.data, spec.description);
  return Object.freeze({ ...spec, schema, check: TypeCompiler.Compile(schema) });
}
