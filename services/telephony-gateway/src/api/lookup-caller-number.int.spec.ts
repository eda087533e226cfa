import { freshDatabase } from '@switchboard/testing';
import type { Principal } from '@switchboard/service-kit';
import { Pool } from 'pg';
import { migrateGateway } from '../publishing/gateway.schema';
import { lookupCallerNumber } from './lookup-caller-number.handler';

const who = (role: Principal['roles'][number]): Principal => ({ userId: `u-${role}`, roles: [role], tenant: 't1', teamIds: [], siteIds: [] });

describe('LookupCallerNumber', () => {
  let db: { url: string; drop: () => Promise<void> };
  let pool: Pool;
  beforeAll(async () => {
    db = await freshDatabase('sb_gw_lookup');
    pool = new Pool({ connectionString: db.url, max: 2 });
    await migrateGateway(pool);
    await pool.query(`insert into gw_caller_numbers (call_id, caller_number, caller_hash) values ('pbx1:1.1', '+8613812345678', $1)`, ['a'.repeat(64)]);
  });
  afterAll(async () => { await pool.end(); await db.drop(); });

  it('should release the clear number to a supervisor and audit who, why and when', async () => {
    const r = await lookupCallerNumber(pool, who('supervisor'), 'pbx1:1.1', 'customer complaint call-back #42');
    expect(r.callerNumber).toBe('+8613812345678');
    const { rows } = await pool.query('select * from gw_caller_lookups where id = $1', [r.auditId]);
    expect(rows[0]).toMatchObject({ principal: 'u-supervisor', call_id: 'pbx1:1.1', reason: 'customer complaint call-back #42', granted: true });
  });

  it('should deny an agent, and still audit the attempt', async () => {
    await expect(lookupCallerNumber(pool, who('agent'), 'pbx1:1.1', 'just curious about it')).rejects.toMatchObject({ code: 'GATEWAY.CALLER_NUMBER_FORBIDDEN' });
    const { rows } = await pool.query(`select granted from gw_caller_lookups where principal = 'u-agent'`);
    expect(rows).toEqual([{ granted: false }]);
  });

  it('should reject a lookup without a justification before touching the data', async () => {
    await expect(lookupCallerNumber(pool, who('manager'), 'pbx1:1.1', 'why')).rejects.toMatchObject({ code: 'GATEWAY.JUSTIFICATION_REQUIRED' });
  });
});
