import { KafkaOffsetMirror } from './consumer-runner';

type Offsets = { topic: string; partition: number; offset: string }[];

describe('KafkaOffsetMirror (Kafka copy of the offsets stored in Postgres)', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  function mirror(intervalMs = 1000, fail = false) {
    const sent: Offsets[] = [];
    const errors: Error[] = [];
    let release: () => void = () => undefined;
    const m = new KafkaOffsetMirror(async (offsets) => {
      sent.push(offsets);
      await new Promise<void>((r) => (release = r));
      if (fail) throw new Error('NOT_COORDINATOR');
    }, intervalMs, (e) => errors.push(e));
    return { m, sent, errors, release: async () => { release(); await jest.advanceTimersByTimeAsync(0); } };
  }

  it('sends the latest offset of every partition in one commit per interval, not one per chunk', async () => {
    const { m, sent, release } = mirror();
    m.note('calls', 0, 10n);
    m.note('calls', 1, 4n);
    m.note('calls', 0, 12n);
    await jest.advanceTimersByTimeAsync(999);
    expect(sent).toEqual([]);
    await jest.advanceTimersByTimeAsync(1);
    expect(sent).toEqual([[{ topic: 'calls', partition: 0, offset: '12' }, { topic: 'calls', partition: 1, offset: '4' }]]);
    await release();
  });

  it('keeps one commit in flight: offsets noted meanwhile go in the next one, an interval after it completes', async () => {
    const { m, sent, release } = mirror();
    m.note('calls', 0, 1n);
    await jest.advanceTimersByTimeAsync(1000);
    m.note('calls', 0, 2n);
    m.note('agents', 3, 7n);
    await jest.advanceTimersByTimeAsync(5000);
    expect(sent).toHaveLength(1); // the first is still waiting for the broker
    await release();
    await jest.advanceTimersByTimeAsync(1000);
    expect(sent[1]).toEqual([{ topic: 'calls', partition: 0, offset: '2' }, { topic: 'agents', partition: 3, offset: '7' }]);
    await release();
  });

  it('flush sends what is pending at once (stop), and drops partitions a rebalance took away', async () => {
    const { m, sent, release } = mirror(60_000);
    m.note('calls', 0, 5n);
    m.note('calls', 1, 6n);
    m.retain({ calls: [1] });
    const flushed = m.flush();
    await jest.advanceTimersByTimeAsync(0);
    await release();
    await flushed;
    expect(sent).toEqual([[{ topic: 'calls', partition: 1, offset: '6' }]]);
    m.close();
    m.note('calls', 1, 9n);
    await jest.advanceTimersByTimeAsync(120_000);
    expect(sent).toHaveLength(1);
  });

  it('reports a failed commit and retries its offsets with the next one unless newer ones came', async () => {
    const { m, sent, errors, release } = mirror(1000, true);
    m.note('calls', 0, 5n);
    m.note('calls', 1, 6n);
    await jest.advanceTimersByTimeAsync(1000);
    m.note('calls', 1, 8n);
    await release();
    expect(errors.map((e) => e.message)).toEqual(['NOT_COORDINATOR']);
    await jest.advanceTimersByTimeAsync(1000);
    expect(sent[1]).toEqual([{ topic: 'calls', partition: 1, offset: '8' }, { topic: 'calls', partition: 0, offset: '5' }]);
    await release();
  });

  it('does not retry a failed commit for a partition a rebalance took away meanwhile', async () => {
    const { m, sent, release } = mirror(1000, true);
    m.retain({ calls: [0, 1] });
    m.note('calls', 0, 5n);
    m.note('calls', 1, 6n);
    await jest.advanceTimersByTimeAsync(1000);
    m.retain({ calls: [1] });
    await release();
    await jest.advanceTimersByTimeAsync(1000);
    expect(sent[1]).toEqual([{ topic: 'calls', partition: 1, offset: '6' }]);
    await release();
  });
});
