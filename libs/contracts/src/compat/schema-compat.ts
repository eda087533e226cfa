/**
 * Schema compatibility for published event versions (FULL compatibility in Confluent terms, as far as a JSON Schema
 * diff can tell): every event valid under the published schema must stay valid under the candidate, and no consumer
 * may lose a field it relies on. Allowed: new optional fields, new enum values/union variants, wider constraints.
 */
export type JsonSchema = { readonly [k: string]: unknown };

export type IncompatibilityRule =
  | 'required-removed'
  | 'property-removed'
  | 'type-changed'
  | 'became-required'
  | 'enum-value-removed'
  | 'variant-removed'
  | 'constraint-narrowed';

export interface Incompatibility {
  readonly path: string;
  readonly rule: IncompatibilityRule;
  readonly message: string;
}

const asSchemas = (v: unknown): JsonSchema[] => (Array.isArray(v) ? (v as JsonSchema[]) : []);
const props = (s: JsonSchema) => (s.properties ?? {}) as Record<string, JsonSchema>;
const required = (s: JsonSchema) => new Set((s.required ?? []) as string[]);
const join = (path: string, key: string) => (path === '' ? key : `${path}.${key}`);

function typesOf(s: JsonSchema): Set<string> | undefined {
  if (s.type === undefined) return undefined;
  const t = new Set(Array.isArray(s.type) ? (s.type as string[]) : [s.type as string]);
  if (t.has('number')) t.add('integer');
  return t;
}

/** Allowed literal values: `const`, `enum`, or a union made only of consts. Undefined = unrestricted. */
function literalValues(s: JsonSchema): unknown[] | undefined {
  if ('const' in s) return [s.const];
  if (Array.isArray(s.enum)) return s.enum as unknown[];
  const variants = asSchemas(s.anyOf ?? s.oneOf);
  if (variants.length > 0 && variants.every((v) => 'const' in v)) return variants.map((v) => v.const);
  return undefined;
}

function checkTypes(a: JsonSchema, b: JsonSchema, path: string): Incompatibility[] {
  const before = typesOf(a);
  const after = typesOf(b);
  if (before === undefined || after === undefined) return [];
  const lost = [...before].filter((t) => !after.has(t) && !(t === 'integer' && after.has('number')));
  return lost.length === 0 ? [] : [{ path, rule: 'type-changed', message: `type ${[...before].join('|')} became ${[...after].join('|')}` }];
}

function checkLiterals(a: JsonSchema, b: JsonSchema, path: string): Incompatibility[] {
  const before = literalValues(a);
  const after = literalValues(b);
  if (after === undefined) return [];
  const removed = (before ?? ['(any value)']).filter((v) => !after.some((w) => JSON.stringify(w) === JSON.stringify(v)));
  return removed.map((v) => ({ path, rule: 'enum-value-removed' as const, message: `value ${JSON.stringify(v)} no longer allowed` }));
}

function checkConstraints(a: JsonSchema, b: JsonSchema, path: string): Incompatibility[] {
  const narrowed: string[] = [];
  const num = (s: JsonSchema, k: string) => (typeof s[k] === 'number' ? (s[k] as number) : undefined);
  for (const k of ['minimum', 'exclusiveMinimum', 'minLength', 'minItems']) {
    const x = num(a, k), y = num(b, k);
    if (y !== undefined && (x === undefined || y > x)) narrowed.push(`${k} ${x ?? 'none'} -> ${y}`);
  }
  for (const k of ['maximum', 'exclusiveMaximum', 'maxLength', 'maxItems']) {
    const x = num(a, k), y = num(b, k);
    if (y !== undefined && (x === undefined || y < x)) narrowed.push(`${k} ${x ?? 'none'} -> ${y}`);
  }
  if (b.pattern !== undefined && b.pattern !== a.pattern) narrowed.push(`pattern changed (cannot prove it is wider)`);
  if (b.additionalProperties === false && a.additionalProperties !== false) narrowed.push('additionalProperties became false');
  return narrowed.map((message) => ({ path, rule: 'constraint-narrowed' as const, message }));
}

function checkObject(a: JsonSchema, b: JsonSchema, path: string): Incompatibility[] {
  const out: Incompatibility[] = [];
  const [pa, pb, ra, rb] = [props(a), props(b), required(a), required(b)];
  for (const [key, schema] of Object.entries(pa)) {
    const p = join(path, key);
    if (!(key in pb)) {
      out.push(ra.has(key)
        ? { path: p, rule: 'required-removed', message: 'required field removed or renamed' }
        : { path: p, rule: 'property-removed', message: 'field removed or renamed' });
      continue;
    }
    if (!ra.has(key) && rb.has(key)) out.push({ path: p, rule: 'became-required', message: 'optional field became required' });
    out.push(...checkCompatibility(schema, pb[key]!, p));
  }
  for (const key of rb) {
    if (!(key in pa)) out.push({ path: join(path, key), rule: 'became-required', message: 'new required field (old events lack it)' });
  }
  return out;
}

function checkVariants(a: JsonSchema, b: JsonSchema, path: string): Incompatibility[] {
  const before = asSchemas(a.anyOf ?? a.oneOf);
  const after = asSchemas(b.anyOf ?? b.oneOf);
  if (before.length === 0 || literalValues(a) !== undefined) return [];
  const candidates = after.length > 0 ? after : [b];
  return before.flatMap((variant, i) =>
    candidates.some((c) => checkCompatibility(variant, c, path).length === 0)
      ? []
      : [{ path: `${path}|${i}`, rule: 'variant-removed' as const, message: 'no compatible variant left for a published shape' }],
  );
}

/** Every way `candidate` breaks consumers or producers of `published`; empty = compatible. */
export function checkCompatibility(published: JsonSchema, candidate: JsonSchema, path = ''): Incompatibility[] {
  const isShapeUnion = (s: JsonSchema) => asSchemas(s.anyOf ?? s.oneOf).length > 0 && literalValues(s) === undefined;
  if (isShapeUnion(published)) return checkVariants(published, candidate, path);
  if (isShapeUnion(candidate)) {
    // A single shape widened into a union: fine if one variant still accepts everything the old shape did.
    const variants = asSchemas(candidate.anyOf ?? candidate.oneOf);
    if (variants.some((v) => checkCompatibility(published, v, path).length === 0)) return [];
    return [{ path, rule: 'variant-removed', message: 'the published shape is not among the new variants' }];
  }
  return [
    ...checkTypes(published, candidate, path),
    ...checkLiterals(published, candidate, path),
    ...checkConstraints(published, candidate, path),
    ...checkObject(published, candidate, path),
    ...(published.items && candidate.items
      ? checkCompatibility(published.items as JsonSchema, candidate.items as JsonSchema, `${path}[]`)
      : []),
  ];
}

export const formatIncompatibility = (i: Incompatibility) => `${i.path || '(root)'}: ${i.rule}: ${i.message}`;
