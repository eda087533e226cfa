import type { Pool } from 'pg';
import type { KpiParameters } from '../../kpis/domain/kpi';
import {
  activeCallFactsTable, consumeChangedBins, DayRange, factsDayRange, materialiseMissingDays, missingDays, RollupKey, tenantsWithFacts,
} from '../infrastructure/daily-rollup.query';

/** What the service's own reports read: its zones, its KPI thresholds (docs/adr/0015-rollups-per-dimension.md). */
export interface RollupMaterialiserSettings {
  readonly timeZone: string;
  readonly siteTimeZones: Readonly<Record<string, string>>;
  readonly parameters: KpiParameters;
  /** Delay before the next pass after one that found work; doubled after each idle pass up to `idlePollMaxMs`. */
  readonly pollMs: number;
  readonly idlePollMaxMs: number;
  /** Days per transaction: a reader that needs the rollup lock waits for one chunk at most. */
  readonly chunkDays?: number;
}

export interface MaterialiserLogger {
  info(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface MaterialiserPass {
  /** Days materialised by this pass (every fingerprint). */
  readonly days: number;
  /** Every default fingerprint had every day from the first call's to the last call's when the pass ended, and no bin was left to consume. */
  readonly current: boolean;
}

const DEFAULT_CHUNK_DAYS = 31;

/**
 * The fingerprints the service's own reports read, per tenant: queues in the service's zone (queue reports are cut
 * there); agents and sites in it and in every site zone (team reports read agent days in their site's zone, site
 * reports every zone's site days).
 */
export function defaultRollupKeys(tenants: readonly string[], s: Pick<RollupMaterialiserSettings, 'timeZone' | 'siteTimeZones' | 'parameters'>): RollupKey[] {
  const zones = [...new Set([s.timeZone, ...Object.values(s.siteTimeZones)])].sort();
  return tenants.flatMap((tenant) => [
    { dimension: 'queue' as const, zone: s.timeZone, tenant, parameters: s.parameters },
    ...zones.flatMap((zone) => (['agent', 'site'] as const).map((dimension) => ({ dimension, zone, tenant, parameters: s.parameters }))),
  ]);
}

/** Back-off: the base interval after work, doubling per idle pass up to the maximum. */
export const nextPollDelay = (previousMs: number, didWork: boolean, s: Pick<RollupMaterialiserSettings, 'pollMs' | 'idlePollMaxMs'>): number =>
  didWork ? s.pollMs : Math.min(s.idlePollMaxMs, Math.max(s.pollMs, previousMs * 2));

interface Chunk {
  readonly key: RollupKey;
  readonly days: readonly DayRange[];
}

/** Missing days cut into chunks of consecutive-in-order days, newest chunks first (the days a director asks about first). */
export function chunksNewestFirst(missing: readonly { key: RollupKey; days: readonly DayRange[] }[], chunkDays: number): Chunk[] {
  const chunks = missing.flatMap(({ key, days }, order) => {
    const newestFirst = [...days].sort((a, b) => b.start.getTime() - a.start.getTime());
    const out: (Chunk & { order: number })[] = [];
    for (let i = 0; i < newestFirst.length; i += chunkDays) out.push({ key, days: newestFirst.slice(i, i + chunkDays), order });
    return out;
  });
  return chunks.sort((a, b) => b.days[0].start.getTime() - a.days[0].start.getTime() || a.order - b.order).map(({ key, days }) => ({ key, days }));
}

/**
 * Keeps the daily rollup of the service's default fingerprints materialised, so the first report of a day, week or
 * month reads stored days instead of materialising them. Each pass consumes the bins the projection marked (dropping
 * their days, as a reader does) and materialises every default fingerprint's missing days from the first call's day
 * to the last call's: the days those bins touched, days a reader's refresh dropped, and after a rebuild (a new
 * active version) every day. Through the readers' own functions and advisory lock; the projection only ever waits
 * for the short consuming transaction.
 */
export class RollupMaterialiser {
  private table: string | undefined;
  private tenants = new Set<string>();
  private current = false;
  /** Whether "rollups current" is due: at the first current pass and after a logged catch-up, not after every live-traffic pass. */
  private announce = true;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private pass: Promise<unknown> | undefined;
  private delayMs: number;

  constructor(
    private readonly pool: Pool,
    private readonly settings: RollupMaterialiserSettings,
    private readonly logger: MaterialiserLogger,
  ) {
    this.delayMs = settings.pollMs;
  }

  /** Passes until stopped: the first at once, then after `pollMs`, backing off while idle. */
  start(): void {
    if (!this.stopped && this.timer === undefined && this.pass === undefined) this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
    await this.pass;
  }

  /** Whether the last pass left every default fingerprint current (`reporting_rollups_current`). */
  isCurrent(): boolean {
    return this.current;
  }

  async runOnce(): Promise<MaterialiserPass> {
    const t = await activeCallFactsTable(this.pool);
    if (!t) return { days: 0, current: false };
    if (t !== this.table) {
      this.table = t;
      this.announce = true;
      this.tenants = new Set(await tenantsWithFacts(this.pool, t));
    }
    const bins = await consumeChangedBins(this.pool, t);
    if (bins.length) for (const tenant of await tenantsWithFacts(this.pool, t, bins)) this.tenants.add(tenant);
    const missing = await this.missingDaysOf(t, defaultRollupKeys([...this.tenants].sort(), this.settings));
    const total = missing.reduce((n, m) => n + m.days.length, 0);
    if (total === 0) {
      if (this.announce) this.logger.info({ table: t, tenants: this.tenants.size }, 'rollups current');
      this.announce = false;
      this.current = true;
      return { days: 0, current: true };
    }
    this.current = false;
    const chunkDays = this.settings.chunkDays ?? DEFAULT_CHUNK_DAYS;
    const long = total > chunkDays;
    const started = Date.now();
    if (long) this.logger.info({ table: t, daysTotal: total, fingerprints: missing.length }, 'rollup catch-up started');
    let done = 0;
    for (const { key, days } of chunksNewestFirst(missing, chunkDays)) {
      if (this.stopped) break;
      const range = { start: days[days.length - 1].start, end: days[0].end };
      await materialiseMissingDays(this.pool, t, key, range);
      done += days.length;
      if (long) this.logger.info({ daysDone: done, daysTotal: total, dimension: key.dimension, zone: key.zone, tenant: key.tenant }, 'rollup catch-up progress');
    }
    if (long) this.logger.info({ daysDone: done, daysTotal: total, ms: Date.now() - started }, 'rollup catch-up done');
    this.announce ||= long;
    return { days: done, current: false };
  }

  private async missingDaysOf(t: string, keys: readonly RollupKey[]): Promise<{ key: RollupKey; days: DayRange[] }[]> {
    const ranges = new Map<string, DayRange | undefined>();
    const missing: { key: RollupKey; days: DayRange[] }[] = [];
    for (const key of keys) {
      if (!ranges.has(key.zone)) ranges.set(key.zone, await factsDayRange(this.pool, t, key.zone));
      const range = ranges.get(key.zone);
      const days = range ? await missingDays(this.pool, t, key, range) : [];
      if (days.length) missing.push({ key, days });
    }
    return missing;
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.pass = this.runOnce().then(
        (p) => (this.delayMs = nextPollDelay(this.delayMs, p.days > 0, this.settings)),
        (e: unknown) => {
          this.logger.error({ err: e }, 'rollup materialiser pass failed');
          this.delayMs = nextPollDelay(this.delayMs, false, this.settings);
        },
      ).finally(() => {
        this.pass = undefined;
        if (!this.stopped) this.schedule(this.delayMs);
      });
    }, ms);
  }
}
