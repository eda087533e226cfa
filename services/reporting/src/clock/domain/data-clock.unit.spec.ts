import { DEFAULT_DATA_CLOCK, observe, readClock, startClock } from './data-clock';

const DAY = Date.parse('2025-03-14T09:00:00+08:00');
const WALL = Date.parse('2026-11-22T20:00:00Z');

describe('reporting clock following the data', () => {
  it('should be the wall clock until an event has been seen', () => {
    expect(readClock(startClock(), WALL).nowMs).toBe(WALL);
  });

  it('should start at the latest event time, not the wall clock (a day replayed 1.7 years later)', () => {
    const c = observe(startClock(), DAY, WALL);
    expect(readClock(c, WALL).nowMs).toBe(DAY);
    // 1 s of wall later, speed not yet measured (1): 1 s of data time
    expect(readClock(c, WALL + 1000).nowMs).toBe(DAY + 1000);
  });

  it('should measure a 60× simulator and run at its speed between events', () => {
    let c = observe(startClock(), DAY, WALL);
    c = observe(c, DAY + 60_000, WALL + 1000); // within the 2 s window: not measured yet
    expect(c.speed).toBe(1);
    c = observe(c, DAY + 180_000, WALL + 3000); // 180 s of data over 3 s of wall
    expect(c.speed).toBe(60);
    // 0.5 s wall after the last event: 180 s + 0.5 × 60 = 210 s into the day
    expect(readClock(c, WALL + 3500).nowMs).toBe(DAY + 210_000);
  });

  it('should take a measured speed near 1 as a live feed and run on like the wall clock', () => {
    let c = observe(startClock(), DAY, WALL);
    c = observe(c, DAY + 2100, WALL + 2000); // 1.05×
    expect(c.speed).toBe(1);
    // a quiet hour on a live floor: the clock keeps running
    expect(readClock(c, WALL + 2000 + 3_600_000).nowMs).toBe(DAY + 2100 + 3_600_000);
  });

  it('should run at most the ahead limit past the latest event when a fast feed goes quiet or bursts', () => {
    let c = observe(startClock(), DAY, WALL);
    c = observe(c, DAY + 120_000, WALL + 2000); // 60×
    expect(readClock(c, WALL + 3_600_000).nowMs).toBe(DAY + 120_000 + DEFAULT_DATA_CLOCK.maxAheadMs); // the simulated day ended
    let rebuild = observe(startClock(), DAY, WALL);
    rebuild = observe(rebuild, DAY + 86_400_000, WALL + 2000); // a day replayed in 2 s: 43,200×
    expect(readClock(rebuild, WALL + 3000).nowMs).toBe(DAY + 86_400_000 + 300_000);
  });

  it('should never run backwards, neither on an older event nor when a slower speed is measured', () => {
    let c = observe(startClock(), DAY, WALL);
    c = observe(c, DAY + 120_000, WALL + 2000); // 60×
    const first = readClock(c, WALL + 2900); // 120 s + 0.9 × 60 = 174 s
    expect(first.nowMs).toBe(DAY + 174_000);
    c = observe(first.clock, DAY + 100_000, WALL + 3000); // older than the latest: ignored
    expect(c.latestMs).toBe(DAY + 120_000);
    c = observe(c, DAY + 130_000, WALL + 4000); // 10 s over 2 s: speed 5, and the latest (130 s) is behind what was shown
    expect(c.speed).toBe(5);
    expect(readClock(c, WALL + 4000).nowMs).toBe(DAY + 174_000);
    expect(readClock(c, WALL + 14_000).nowMs).toBe(DAY + 180_000); // 130 s + 10 s × 5
  });
});
