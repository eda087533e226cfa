import { InvalidArgumentError, NotFoundError, PermissionDeniedError } from '@switchboard/domain-errors';
import type { Principal, Role } from '@switchboard/service-kit';
import type { Pool } from 'pg';

/** Supervisor and above: they handle complaints and call-backs (SEC-01, SEC-13). Everyone else is denied, and audited. */
export const CALLER_NUMBER_ROLES: readonly Role[] = ['director', 'manager', 'supervisor'];

export interface LookupResult { callId: string; callerNumber: string; auditId: string }

/** Releases a clear caller number. Every attempt, granted or not, leaves an audit row (SEC-17) before answering. */
export async function lookupCallerNumber(pool: Pool, who: Principal, callId: string, justification: string): Promise<LookupResult> {
  if (callId.trim() === '') throw new InvalidArgumentError('GATEWAY.CALL_ID_REQUIRED', 'call_id is required', [{ field: 'call_id', description: 'required' }]);
  if (justification.trim().length < 10) {
    throw new InvalidArgumentError('GATEWAY.JUSTIFICATION_REQUIRED', 'justification must be at least 10 characters', [{ field: 'justification', description: 'at least 10 characters' }]);
  }
  const granted = CALLER_NUMBER_ROLES.some((r) => who.roles.includes(r));
  const audit = await pool.query<{ id: string }>(
    'insert into gw_caller_lookups (principal, roles, call_id, reason, granted) values ($1, $2, $3, $4, $5) returning id',
    [who.userId, who.roles, callId, justification, granted]);
  if (!granted) throw new PermissionDeniedError('GATEWAY.CALLER_NUMBER_FORBIDDEN', `releasing caller numbers needs one of: ${CALLER_NUMBER_ROLES.join(', ')}`);
  const { rows } = await pool.query<{ caller_number: string | null }>('select caller_number from gw_caller_numbers where call_id = $1', [callId]);
  if (rows.length === 0) throw new NotFoundError('GATEWAY.CALL_NOT_FOUND', `no caller number stored for call ${callId}`);
  return { callId, callerNumber: rows[0].caller_number ?? '', auditId: audit.rows[0].id };
}
