import type { Pool } from 'pg';
import { DataClock, DataClockSettings, DEFAULT_DATA_CLOCK, observe, readClock, startClock } from './domain/data-clock';

/**
 * Latest PBX event time the read models hold: the newest agent state change or login and the newest queue entry
 * (both indexed or tiny). Undefined views (projections not yet active) are skipped.
 */
export async function latestEventTime(pool: Pool): Promise<number | null> {
  const { rows: [have] } = await pool.query<{ agents: boolean; calls: boolean }>(
    `select to_regclass('agent_state') is not null as agents, to_regclass('call_facts') is not null as calls`);
  const parts = [have.agents ? '(select max(as_of) from agent_state)' : null, have.calls ? '(select max(queued_at) from call_facts)' : null].filter(Boolean);
  if (parts.length === 0) return null;
  const { rows: [r] } = await pool.query<{ t: Date | null }>(`select greatest(${parts.join(', ')}) as t`);
  return r.t === null ? null : r.t.getTime();
}

/** The reporting clock (docs/adr/0008-reporting-clock.md): reads the latest event time every `everyMs`. */
export class EventTimeClock {
  private state: DataClock = startClock();
  private timer?: NodeJS.Timeout;

  constructor(private readonly latest: () => Promise<number | null>, private readonly wall: () => number = Date.now,
    private readonly settings: DataClockSettings = DEFAULT_DATA_CLOCK) {}

  async refresh(): Promise<void> {
    this.state = observe(this.state, await this.latest(), this.wall(), this.settings);
  }

  async start(everyMs: number, onError: (e: unknown) => void): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => void this.refresh().catch(onError), everyMs);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  now(): Date {
    const { nowMs, clock } = readClock(this.state, this.wall(), this.settings);
    this.state = clock;
    return new Date(nowMs);
  }

  /** Event-time seconds per wall second, so a page can count time in state between frames at the data's pace. */
  rate(): number {
    return this.state.speed;
  }
}
