import { freshDatabase } from '@switchboard/testing';
import { Pool } from 'pg';
import { linkLeaseKey, PgAdvisoryLease } from '../../src/link-lease/infrastructure/pg-advisory-lease';
import { migrateGateway } from '../../src/publishing/gateway.schema';

jest.setTimeout(60_000);

describe('PBX link lease on a Postgres advisory lock', () => {
  let db: { url: string; drop: () => Promise<void> };
  let admin: Pool;
  const leases: PgAdvisoryLease[] = [];
  const losses: { replica: string; reason: string; at: number }[] = [];
  const lease = (replica: string, key = linkLeaseKey('acme', 'asterisk-1'), pbxLinkId = 'asterisk-1') => {
    const l = new PgAdvisoryLease({
      connection: { connectionString: db.url }, key, pbxLinkId, holder: replica, heartbeatMs: 500, onLost: (reason) => losses.push({ replica, reason, at: Date.now() }),
    });
    leases.push(l);
    return l;
  };
  const leaseSessions = async () => (await admin.query<{ pid: number; granted: boolean }>(`select a.pid, l.granted from pg_stat_activity a
    left join pg_locks l on l.pid = a.pid and l.locktype = 'advisory' where a.application_name = 'telephony-gateway link lease' and a.datname = current_database()`)).rows;

  beforeAll(async () => {
    db = await freshDatabase('sb_gw_lease');
    admin = new Pool({ connectionString: db.url, max: 2 });
    await migrateGateway(admin);
  });

  afterAll(async () => {
    for (const l of leases) await l.release();
    await admin?.end();
    await db?.drop();
  });

  it('should grant a link to one session only, other links and tenants apart', async () => {
    const [a, b] = [lease('a'), lease('b')];
    expect(await a.tryAcquire()).toBe(true);
    expect(await b.tryAcquire()).toBe(false);
    expect(await lease('c', linkLeaseKey('acme', 'asterisk-2'), 'asterisk-2').tryAcquire()).toBe(true);
    expect(await lease('d', linkLeaseKey('other-tenant', 'asterisk-1'), 'asterisk-1').tryAcquire()).toBe(true);
    expect(linkLeaseKey('acme', 'asterisk-1')).toBe(linkLeaseKey('acme', 'asterisk-1'));
    expect(linkLeaseKey('acme', 'asterisk-1')).not.toBe(linkLeaseKey('acme', 'asterisk-2'));
    await a.release();
    expect(await b.tryAcquire()).toBe(true);
    expect(losses).toEqual([]);
  });

  it('should move the link\'s fencing epoch on at every acquisition, and only then', async () => {
    const key = linkLeaseKey('acme', 'asterisk-4');
    const [a, b] = [lease('a', key, 'asterisk-4'), lease('b', key, 'asterisk-4')];
    const row = async () => (await admin.query<{ epoch: string; holder: string }>('select epoch, holder from gw_link_lease where pbx_link_id = $1', ['asterisk-4'])).rows[0];
    expect(await a.tryAcquire()).toBe(true);
    expect([a.epoch, await row()]).toEqual(['1', { epoch: '1', holder: 'a' }]);
    expect(await b.tryAcquire()).toBe(false);
    expect([b.epoch, (await row()).epoch]).toEqual([null, '1']);
    await a.release();
    expect(await b.tryAcquire()).toBe(true);
    expect([a.epoch, b.epoch, await row()]).toEqual([null, '2', { epoch: '2', holder: 'b' }]);
  });

  it('should close the session and report the loss once when a write of its epoch was fenced, not for an older epoch', async () => {
    const key = linkLeaseKey('acme', 'asterisk-5');
    const holder = lease('fenced-holder', key, 'asterisk-5');
    expect(await holder.tryAcquire()).toBe(true);
    holder.revoke('0', 'an older holding');
    expect(holder.isHeld).toBe(true);
    holder.revoke(holder.epoch!, 'write fenced');
    holder.revoke('1', 'write fenced again');
    expect(holder.isHeld).toBe(false);
    expect(losses.filter((l) => l.replica === 'fenced-holder').map((l) => l.reason)).toEqual(['write fenced']);
    expect(await lease('next', key, 'asterisk-5').tryAcquire()).toBe(true);
  });

  it('should tell the holder at once when its session is terminated, and free the lock for another', async () => {
    const key = linkLeaseKey('acme', 'asterisk-3');
    const [holder, standby] = [lease('holder', key), lease('standby', key)];
    expect(await holder.tryAcquire()).toBe(true);
    expect(await standby.tryAcquire()).toBe(false);
    const before = (await leaseSessions()).length;
    const killedAt = Date.now();
    // This database's holder only: the same link key may be held in another test's or a benchmark's database.
    await admin.query(`select pg_terminate_backend(l.pid) from pg_locks l where l.locktype = 'advisory' and l.granted
      and l.database = (select oid from pg_database where datname = current_database())
      and l.objid = ($1::bigint & 4294967295)::oid and l.classid = ($1::bigint >> 32)::oid`, [key]);
    const deadline = Date.now() + 5000;
    while (!losses.some((l) => l.replica === 'holder') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const lost = losses.find((l) => l.replica === 'holder');
    expect(lost?.reason).toMatch(/lease connection/);
    expect(lost!.at - killedAt).toBeLessThan(1000);
    expect(holder.isHeld).toBe(false);
    expect(await standby.tryAcquire()).toBe(true);
    expect((await leaseSessions()).length).toBe(before - 1);
  });
});
