import { Counter, Gauge, Registry } from 'prom-client';

/** Per-group consumer metrics; several runners may share one registry (the metrics are created once per registry). */
export class ConsumerMetrics {
  private readonly lag?: Gauge<'group' | 'topic' | 'partition'>;
  private readonly processed?: Counter<'group' | 'topic'>;
  private readonly deadLettered?: Counter<'group' | 'topic' | 'reason'>;
  private readonly ignored?: Counter<'group' | 'topic' | 'reason'>;

  constructor(private readonly group: string, registry?: Registry) {
    if (!registry) return;
    this.lag = metric(registry, 'consumer_lag', () => new Gauge({ name: 'consumer_lag', help: 'Messages behind the partition end, after the last batch', labelNames: ['group', 'topic', 'partition'], registers: [registry] }));
    this.processed = metric(registry, 'consumer_messages_processed_total', () => new Counter({ name: 'consumer_messages_processed_total', help: 'Messages applied (committed with their offsets)', labelNames: ['group', 'topic'], registers: [registry] }));
    this.deadLettered = metric(registry, 'consumer_messages_dead_lettered_total', () => new Counter({ name: 'consumer_messages_dead_lettered_total', help: 'Messages sent to the DLQ', labelNames: ['group', 'topic', 'reason'], registers: [registry] }));
    this.ignored = metric(registry, 'consumer_messages_ignored_total', () => new Counter({ name: 'consumer_messages_ignored_total', help: 'Messages skipped without a handler (e.g. unknown event types)', labelNames: ['group', 'topic', 'reason'], registers: [registry] }));
  }

  setLag(topic: string, partition: number, lag: number): void {
    this.lag?.set({ group: this.group, topic, partition: String(partition) }, lag);
  }

  countProcessed(topic: string, n: number): void {
    if (n > 0) this.processed?.inc({ group: this.group, topic }, n);
  }

  countDeadLettered(topic: string, reason: string): void {
    this.deadLettered?.inc({ group: this.group, topic, reason });
  }

  countIgnored(topic: string, reason: string): void {
    this.ignored?.inc({ group: this.group, topic, reason });
  }
}

function metric<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}
