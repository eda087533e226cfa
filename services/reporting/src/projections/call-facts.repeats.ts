import type { PoolClient } from 'pg';
import { DIRTY_BIN } from './call-facts.rollup';

export interface Offer { callId: string; callerHash: string; at: string }

/**
 * Repeat-caller flags for a set of offers, in one statement. Flags only ever turn true and each offer marks both
 * directions, so the result is the same in any delivery order and any chunking: an offered call is a repeat if the
 * caller called in the 24 h before; earlier calls of the caller in the 72 h before were not resolved first time
 * (and the offered call is not, if the caller calls again in the 72 h after). Rows whose flags change are marked
 * dirty for the daily rollup. Caller identity and the flags live on the call's first queue visit.
 */
export async function markRepeats(client: PoolClient, t: string, offers: readonly Offer[]): Promise<void> {
  await client.query(`with x as (select * from unnest($1::text[], $2::text[], $3::timestamptz[]) x(id, h, at)),
    pairs as (select x.id, o.call_id as other, o.offered_at < x.at as before, o.offered_at - x.at as d from x join "${t}" o
      on o.caller_hash = x.h and o.call_id <> x.id and o.offered_at >= x.at - interval '72 hours' and o.offered_at <= x.at + interval '72 hours'
      and o.offered_at <> x.at),
    flags as (
      select id as call_id, bool_or(before and d >= interval '-24 hours') as r, bool_or(not before) as f from pairs group by id
      union all
      select other, bool_or(not before and d <= interval '24 hours'), bool_or(before) from pairs group by other),
    merged as (select call_id, bool_or(r) as r, bool_or(f) as f from flags group by call_id),
    upd as (update "${t}" c set repeat_24h = c.repeat_24h or m.r, followed_up_72h = c.followed_up_72h or m.f from merged m
      where c.call_id = m.call_id and c.queue_visit = 1 and ((m.r and not c.repeat_24h) or (m.f and not c.followed_up_72h)) returning c.queued_at)
    insert into "${t}_dirty" (bin) select distinct ${DIRTY_BIN('queued_at')} from upd where queued_at is not null
    on conflict (bin) do update set n = "${t}_dirty".n + 1`,
  [offers.map((o) => o.callId), offers.map((o) => o.callerHash), offers.map((o) => o.at)]);
}
