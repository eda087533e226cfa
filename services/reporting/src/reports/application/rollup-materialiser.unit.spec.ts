import { DEFAULT_KPI_PARAMETERS } from '../../kpis/domain/kpi';
import { contiguousRuns } from '../infrastructure/daily-rollup.query';
import { chunksNewestFirst, defaultRollupKeys, nextPollDelay } from './rollup-materialiser';

const day = (n: number) => ({ start: new Date(Date.UTC(2025, 2, n) - 8 * 3_600_000), end: new Date(Date.UTC(2025, 2, n + 1) - 8 * 3_600_000) });

describe('rollup materialiser planning', () => {
  it('should materialise queues in the service zone and agents and sites in every zone, per tenant', () => {
    const keys = defaultRollupKeys(['acme', 'beta'], { timeZone: 'Asia/Shanghai', siteTimeZones: { lisbon: 'Europe/Lisbon', nanchang: 'Asia/Shanghai' }, parameters: DEFAULT_KPI_PARAMETERS });
    expect(keys.map((k) => `${k.tenant} ${k.dimension} ${k.zone}`)).toEqual([
      'acme queue Asia/Shanghai', 'acme agent Asia/Shanghai', 'acme site Asia/Shanghai', 'acme agent Europe/Lisbon', 'acme site Europe/Lisbon',
      'beta queue Asia/Shanghai', 'beta agent Asia/Shanghai', 'beta site Asia/Shanghai', 'beta agent Europe/Lisbon', 'beta site Europe/Lisbon',
    ]);
    expect(keys.every((k) => k.parameters === DEFAULT_KPI_PARAMETERS)).toBe(true);
  });

  it('should poll at the base interval after work and back off while idle', () => {
    const s = { pollMs: 2000, idlePollMaxMs: 30_000 };
    const idle: number[] = [];
    let delay = s.pollMs;
    for (let i = 0; i < 6; i++) idle.push((delay = nextPollDelay(delay, false, s)));
    expect(idle).toEqual([4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    expect(nextPollDelay(30_000, true, s)).toBe(2000);
  });

  it('should cut missing days into chunks, newest first, each key in its own chunks', () => {
    const queue = { dimension: 'queue' as const, zone: 'Asia/Shanghai', tenant: 'acme', parameters: DEFAULT_KPI_PARAMETERS };
    const agent = { ...queue, dimension: 'agent' as const };
    const chunks = chunksNewestFirst([{ key: queue, days: [1, 2, 3, 4, 5].map(day) }, { key: agent, days: [4, 9].map(day) }], 2);
    const shanghaiDate = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).getUTCDate();
    expect(chunks.map((c) => `${c.key.dimension} ${c.days.map((d) => shanghaiDate(d.start)).join(',')}`)).toEqual(['agent 9,4', 'queue 5,4', 'queue 3,2', 'queue 1']);
  });

  it('should aggregate consecutive days in one run and leave gaps between runs', () => {
    const days = [3, 1, 2, 7, 5].map(day).map((d) => ({ day_start: d.start, day_end: d.end }));
    expect(contiguousRuns(days).map((run) => run.length)).toEqual([3, 1, 1]);
    expect(contiguousRuns([])).toEqual([]);
  });
});
