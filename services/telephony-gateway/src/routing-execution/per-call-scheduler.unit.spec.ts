import { PerCallScheduler } from './infrastructure/per-call-scheduler';

/** A task that records when it starts and ends only when the test lets it. */
function gate(log: string[], name: string) {
  let open!: () => void;
  let fail!: (e: Error) => void;
  const done = new Promise<void>((resolve, reject) => { open = resolve; fail = reject; });
  return {
    task: async () => { log.push(`${name} start`); try { await done; } finally { log.push(`${name} end`); } },
    open: async () => { open(); await flush(); },
    fail: async () => { fail(new Error(`${name} failed`)); await flush(); },
  };
}
const flush = () => new Promise((r) => setImmediate(r));

describe('PerCallScheduler', () => {
  describe('When two assignments of one call are given', () => {
    it('should start the second only after the first has ended, even with free slots', async () => {
      const log: string[] = [];
      const s = new PerCallScheduler(4);
      const [a1, a2] = [gate(log, 'a1'), gate(log, 'a2')];
      const runs = [s.run('call-a', a1.task), s.run('call-a', a2.task)];
      await flush();
      expect(log).toEqual(['a1 start']);
      await a1.open();
      expect(log).toEqual(['a1 start', 'a1 end', 'a2 start']);
      await a2.open();
      await Promise.all(runs);
      expect(s.pending).toBe(0);
    });

    it('should still run the second when the first fails', async () => {
      const log: string[] = [];
      const s = new PerCallScheduler(1);
      const [a1, a2] = [gate(log, 'a1'), gate(log, 'a2')];
      const first = s.run('call-a', a1.task);
      const second = s.run('call-a', a2.task);
      await flush();
      await a1.fail();
      await expect(first).rejects.toThrow('a1 failed');
      await a2.open();
      await second;
      expect(log).toEqual(['a1 start', 'a1 end', 'a2 start', 'a2 end']);
    });
  });

  describe('When assignments of different calls are given', () => {
    it('should run them at once up to the limit, the next one starting when a slot frees', async () => {
      const log: string[] = [];
      const s = new PerCallScheduler(2);
      const [a, b, c] = [gate(log, 'a'), gate(log, 'b'), gate(log, 'c')];
      const runs = [s.run('call-a', a.task), s.run('call-b', b.task), s.run('call-c', c.task)];
      await flush();
      expect(log).toEqual(['a start', 'b start']);
      expect(s.pending).toBe(3);
      await b.open();
      expect(log).toEqual(['a start', 'b start', 'b end', 'c start']);
      await a.open();
      await c.open();
      await Promise.all(runs);
      expect(s.pending).toBe(0);
    });

    it('should not let a call waiting for its own earlier assignment hold a slot others could use', async () => {
      const log: string[] = [];
      const s = new PerCallScheduler(2);
      const [a1, a2, b] = [gate(log, 'a1'), gate(log, 'a2'), gate(log, 'b')];
      const runs = [s.run('call-a', a1.task), s.run('call-a', a2.task), s.run('call-b', b.task)];
      await flush();
      expect(log).toEqual(['a1 start', 'b start']);
      await Promise.all([a1.open(), a2.open(), b.open()]);
      await Promise.all(runs);
    });
  });

  describe('When the one giving tasks waits for room', () => {
    it('should resolve once fewer than the bound are pending', async () => {
      const log: string[] = [];
      const s = new PerCallScheduler(1);
      const [a, b] = [gate(log, 'a'), gate(log, 'b')];
      const runs = [s.run('call-a', a.task), s.run('call-b', b.task)];
      let room = false;
      void s.whenPendingBelow(2).then(() => { room = true; });
      await flush();
      expect(room).toBe(false);
      await a.open();
      expect(room).toBe(true);
      await b.open();
      await Promise.all(runs);
      await expect(s.whenPendingBelow(1)).resolves.toBeUndefined();
    });
  });

  it('should refuse a limit that is not a positive integer', () => {
    expect(() => new PerCallScheduler(0)).toThrow('positive integer');
  });
});
