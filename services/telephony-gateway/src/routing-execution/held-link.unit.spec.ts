import { HeldLink, type Companion } from './infrastructure/held-link';

/** A link and companions that write what happens to them, in order. */
function fixture(o: { leaseLost?: boolean; failFirstStarts?: number } = {}) {
  const log: string[] = [];
  const running: string[] = [];
  let starts = 0;
  const link = {
    config: { pbxLinkId: 'pbx-1' },
    start: () => { log.push('link started'); },
    stop: async () => { log.push('link stopping'); await new Promise((r) => setTimeout(r, 5)); log.push('link stopped'); },
  };
  const consumer: Companion<typeof link> = {
    name: 'consumer',
    start: async () => {
      if (starts++ < (o.failFirstStarts ?? 0)) throw new Error('broker down');
      log.push('consumer started');
      return { stop: async () => { log.push('consumer stopping'); await new Promise((r) => setTimeout(r, 5)); log.push('consumer stopped'); } };
    },
  };
  const held = new HeldLink(link, {
    companions: [consumer], retryInitialMs: 5, leaseLost: () => o.leaseLost === true,
    onRunning: (_l, on) => { if (on) running.push('pbx-1'); else running.splice(0); },
  });
  return { held, log, running, starts: () => starts };
}

const settle = () => new Promise((r) => setTimeout(r, 30));
async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
}

describe('a held PBX link and what runs with it', () => {
  it('should start its companions after the link and, on an orderly stop, stop them before the link', async () => {
    const f = fixture();
    f.held.start();
    await settle();
    expect(f.running).toEqual(['pbx-1']);
    expect(f.held.companion('consumer')).toBeDefined();
    await f.held.stop();
    expect(f.log).toEqual(['link started', 'consumer started', 'consumer stopping', 'consumer stopped', 'link stopping', 'link stopped']);
    expect(f.running).toEqual([]);
  });

  it('should close the PBX link at once when the lease was lost, the companions stopping meanwhile', async () => {
    const f = fixture({ leaseLost: true });
    f.held.start();
    await settle();
    await f.held.stop();
    expect(f.log.slice(0, 3)).toEqual(['link started', 'consumer started', 'link stopping']);
    expect(f.log).toContain('consumer stopped');
  });

  it('should retry a companion that could not start while the link runs, and not after it stopped', async () => {
    const f = fixture({ failFirstStarts: 2 });
    f.held.start();
    await until(() => f.held.companion('consumer') !== undefined);
    expect(f.starts()).toBe(3);
    expect(f.log).toEqual(['link started', 'consumer started']);
    await f.held.stop();
    const g = fixture({ failFirstStarts: 100 });
    g.held.start();
    await g.held.stop();
    const tried = g.starts();
    await settle();
    expect(g.starts()).toBe(tried);
    expect(g.log).toEqual(['link started', 'link stopping', 'link stopped']);
  });
});
