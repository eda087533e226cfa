import type { TSchema } from '@sinclair/typebox';
import type { TypeCheck } from '@sinclair/typebox/compiler';

/** A validation failure naming the field, e.g. `{ path: 'data.waitSeconds', message: 'expected number' }`. */
export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export function formatFieldError(e: FieldError): string {
  return `${e.path}: ${e.message}`;
}

/** `/data/explanation/candidates/0/agentId` → `data.explanation.candidates[0].agentId` */
export function jsonPointerToPath(pointer: string): string {
  if (pointer === '') return '(root)';
  return pointer
    .slice(1)
    .split('/')
    .map((seg) => seg.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc === '' ? seg : `${acc}.${seg}`), '');
}

const lowerFirst = (s: string) => (s.length === 0 ? s : s[0]!.toLowerCase() + s.slice(1));

/**
 * Runs a compiled validator and returns field errors. TypeBox reports a failing union both as a whole and per
 * member; one message per path (the first, most general) keeps the output readable.
 */
export function collectErrors<T extends TSchema>(check: TypeCheck<T>, value: unknown, max = 20): FieldError[] {
  if (check.Check(value)) return [];
  const seen = new Set<string>();
  const errors: FieldError[] = [];
  for (const e of check.Errors(value)) {
    const path = jsonPointerToPath(e.path);
    if (seen.has(path)) continue;
    seen.add(path);
    errors.push({ path, message: lowerFirst(e.message) });
    if (errors.length >= max) break;
  }
  return errors;
}

/** Thrown by producers' helpers (`createEnvelope`, `encode`) when the event does not match its contract. */
export class ContractViolationError extends Error {
  readonly code = 'CONTRACTS.INVALID_EVENT';
  constructor(
    readonly eventType: string,
    readonly errors: readonly FieldError[],
  ) {
    super(`${eventType} violates its contract: ${errors.map(formatFieldError).join('; ')}`);
    this.name = 'ContractViolationError';
  }
}
