// RP-03: the duty supervisor publishes three sign-in monitoring charts a day. Here they are snapshots of the live
// agent-state read model taken at configured local times, kept in a table this module owns. Replicas may all run
// the scheduler: the primary key (day, slot) lets exactly one insert win.
import type { Pool } from 'pg';
import { queryBoardAgents } from './agent-board.query';
import { isReadModelNotBuilt } from '../reports/infrastructure/read-model';
import { type BoardAgent, type LiveAgent, toBoardAgent } from './domain/agent-board';
import { checkPlan, dueSlots, type SlotPlan, slotStatus, type SlotStatus } from './domain/signin-schedule';

export interface SignInSnapshot {
  readonly slot: string;
  readonly status: SlotStatus;
  readonly takenAt?: string;
  readonly agents: readonly BoardAgent[];
}

export interface SignInSnapshotSettings extends SlotPlan {
  readonly timeZone: string;
  readonly stateLimitSeconds: Readonly<Record<string, number>>;
}

export async function migrateSignInSnapshots(pool: Pool): Promise<void> {
  await pool.query(`create table if not exists wallboard_signin_snapshots (
    local_date date not null, slot text not null, taken_at timestamptz not null, agents jsonb not null, primary key (local_date, slot))`);
}

/** The site-local calendar day (YYYY-MM-DD) and minute of the day of an instant. */
export function localClock(now: Date, timeZone: string): { date: string; minuteOfDay: number } {
  const parts = Object.fromEntries(new Intl.DateTimeFormat('en-CA', {
    timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23',
  }).formatToParts(now).map((p) => [p.type, p.value]));
  return { date: `${parts.year}-${parts.month}-${parts.day}`, minuteOfDay: Number(parts.hour) * 60 + Number(parts.minute) };
}

export class SignInSnapshots {
  private readonly plan: SlotPlan;

  constructor(private readonly pool: Pool, private readonly settings: SignInSnapshotSettings) {
    this.plan = checkPlan(settings);
  }

  /**
   * Takes the snapshots that are due at `now`; answers the slots it stored. None while the agent states are first
   * being built: a slot is taken on a later check (within its grace) rather than from a half-built read model.
   */
  async takeDue(now: Date): Promise<string[]> {
    const { date, minuteOfDay } = localClock(now, this.settings.timeZone);
    const due = dueSlots(this.plan, minuteOfDay, await this.takenOn(date));
    if (due.length === 0) return [];
    let live: LiveAgent[];
    try {
      live = await queryBoardAgents(this.pool, now);
    } catch (e) {
      if (isReadModelNotBuilt(e)) return [];
      throw e;
    }
    const agents = live.map((a) => toBoardAgent(a, this.settings.stateLimitSeconds));
    const stored: string[] = [];
    for (const slot of due) {
      const r = await this.pool.query(`insert into wallboard_signin_snapshots (local_date, slot, taken_at, agents) values ($1, $2, $3, $4)
        on conflict do nothing`, [date, slot, now, JSON.stringify(agents)]);
      if (r.rowCount === 1) stored.push(slot);
    }
    return stored;
  }

  /** Every configured slot of a local day (default: today), taken or not. */
  async list(now: Date, date?: string): Promise<{ date: string; timeZone: string; snapshots: SignInSnapshot[] }> {
    const today = localClock(now, this.settings.timeZone);
    const day = date ?? today.date;
    const minute = day < today.date ? 24 * 60 : day > today.date ? -1 : today.minuteOfDay;
    const { rows } = await this.pool.query<{ slot: string; taken_at: Date; agents: BoardAgent[] }>(
      `select slot, taken_at, agents from wallboard_signin_snapshots where local_date = $1`, [day]);
    const bySlot = new Map(rows.map((r) => [r.slot, r]));
    return {
      date: day,
      timeZone: this.settings.timeZone,
      snapshots: this.plan.slots.map((slot) => {
        const row = bySlot.get(slot);
        const status = slotStatus(slot, minute, row !== undefined, this.plan.graceMinutes);
        return row ? { slot, status, takenAt: row.taken_at.toISOString(), agents: row.agents } : { slot, status, agents: [] };
      }),
    };
  }

  /** Checks for due slots every `everyMs` (and once right away); errors are reported, not fatal. */
  schedule(now: () => Date, everyMs: number, onError: (e: unknown) => void): { stop(): void } {
    const tick = () => void this.takeDue(now()).catch(onError);
    tick();
    const timer = setInterval(tick, everyMs);
    timer.unref();
    return { stop: () => clearInterval(timer) };
  }

  private async takenOn(date: string): Promise<Set<string>> {
    const { rows } = await this.pool.query<{ slot: string }>('select slot from wallboard_signin_snapshots where local_date = $1', [date]);
    return new Set(rows.map((r) => r.slot));
  }
}
