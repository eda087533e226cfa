import { Counter, Gauge, Registry } from 'prom-client';
import type { Pool } from 'pg';

type LinkLabels = 'pbx_link_id' | 'protocol';

/** What one PBX link reports; the link-up gauge and pipeline backlog are read when Prometheus scrapes. */
export interface LinkMetrics {
  frameReceived(): void;
  parseError(kind: string): void;
  unknownEvent(): void;
  /** A stopped recording settled: `stored` (file read), or why not (missing, still-writing, unreadable, …). */
  recording(outcome: string): void;
  /** Every link-up; all but the first count as reconnects. */
  linkUp(): void;
  /** The link stopped: its gauges are no longer reported. */
  closed(): void;
}

export interface LinkProbe {
  readonly pbxLinkId: string;
  readonly protocol: string;
  isUp(): boolean;
  backlog(): number;
}

/** The gateway's adapter metrics on the service registry (created once per registry, as the consumer metrics are). */
export class GatewayMetrics {
  private readonly frames: Counter<LinkLabels>;
  private readonly parseErrors: Counter<LinkLabels | 'kind'>;
  private readonly unknownEvents: Counter<LinkLabels>;
  private readonly reconnects: Counter<LinkLabels>;
  private readonly recordings: Counter<LinkLabels | 'outcome'>;
  private readonly scraped: Scraped;

  constructor(registry: Registry = new Registry()) {
    const registers = [registry];
    const scraped = states.get(registry) ?? { probes: [], pool: null };
    states.set(registry, scraped);
    this.scraped = scraped;
    const labelNames = ['pbx_link_id', 'protocol'] as const;
    this.frames = metric(registry, 'gateway_frames_received_total', () => new Counter({ name: 'gateway_frames_received_total', help: 'Frames read from a PBX link (before parsing into events)', labelNames, registers }));
    this.parseErrors = metric(registry, 'gateway_parse_errors_total', () => new Counter({ name: 'gateway_parse_errors_total', help: 'Frames dropped by the parser, by reason (oversized, malformed)', labelNames: [...labelNames, 'kind'], registers }));
    this.unknownEvents = metric(registry, 'gateway_unknown_events_total', () => new Counter({ name: 'gateway_unknown_events_total', help: 'PBX events the gateway does not interpret (kept in the raw archive only)', labelNames, registers }));
    this.reconnects = metric(registry, 'gateway_link_reconnects_total', () => new Counter({ name: 'gateway_link_reconnects_total', help: 'Times a PBX link came up again after it had been up', labelNames, registers }));
    this.recordings = metric(registry, 'gateway_recordings_total', () => new Counter({ name: 'gateway_recordings_total', help: 'Stopped recordings by outcome: stored (file read and hashed), or why it was not and no CallRecordingAvailable follows (missing, still-writing, unreadable, outside-directory, no-file-name)', labelNames: [...labelNames, 'outcome'], registers }));
    const probes = scraped.probes;
    metric(registry, 'gateway_link_up', () => new Gauge({ name: 'gateway_link_up', help: '1 while the PBX link is logged in and subscribed, else 0', labelNames, registers,
      collect() { this.reset(); for (const p of probes) this.set(labelsOf(p), p.isUp() ? 1 : 0); } }));
    metric(registry, 'gateway_pipeline_backlog', () => new Gauge({ name: 'gateway_pipeline_backlog', help: 'Items received from the PBX link and not yet committed to Postgres', labelNames, registers,
      collect() { this.reset(); for (const p of probes) this.set(labelsOf(p), p.backlog()); } }));
    metric(registry, 'gateway_outbox_backlog', () => new Gauge({ name: 'gateway_outbox_backlog', help: 'Events committed to the outbox and not yet acknowledged by Kafka', registers,
      async collect() {
        const p = scraped.pool;
        if (p === null) return;
        const { rows } = await p.query<{ n: number }>('select count(*)::int as n from es_outbox').catch(() => ({ rows: [] as { n: number }[] }));
        if (rows[0] !== undefined) this.set(rows[0].n);
      } }));
  }

  /** The outbox counted at each scrape (an unreachable database leaves the last value). */
  watchOutbox(pool: Pool): void { this.scraped.pool = pool; }

  forLink(probe: LinkProbe): LinkMetrics {
    this.scraped.probes.push(probe);
    const labels = labelsOf(probe);
    let wasUp = false;
    return {
      frameReceived: () => this.frames.inc(labels),
      parseError: (kind) => this.parseErrors.inc({ ...labels, kind }),
      unknownEvent: () => this.unknownEvents.inc(labels),
      recording: (outcome) => this.recordings.inc({ ...labels, outcome }),
      linkUp: () => { if (wasUp) this.reconnects.inc(labels); wasUp = true; },
      closed: () => { const i = this.scraped.probes.indexOf(probe); if (i >= 0) this.scraped.probes.splice(i, 1); },
    };
  }
}

/** What the scrape-time gauges read; per registry, so several gateways in one process (tests) share one set of gauges. */
interface Scraped { readonly probes: LinkProbe[]; pool: Pool | null }
const states = new WeakMap<Registry, Scraped>();

const labelsOf = (p: LinkProbe) => ({ pbx_link_id: p.pbxLinkId, protocol: p.protocol });

function metric<M>(registry: Registry, name: string, create: () => M): M {
  return (registry.getSingleMetric(name) as M | undefined) ?? create();
}
