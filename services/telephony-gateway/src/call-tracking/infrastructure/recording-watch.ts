import type { AmiLinkDeps } from '../../ami/infrastructure/ami-link';
import type { LinkMetrics } from '../../ami/infrastructure/link-metrics';
import type { PipelineItem } from '../../publishing/prepare-batch';
import type { StoppedRecording } from '../domain/stopped-recording';
import { inspectRecording, type RecordingsConfig } from './recording-inspector';

export interface RecordingWatchDeps {
  readonly pbxLinkId: string;
  readonly config: RecordingsConfig;
  readonly push: (item: PipelineItem) => void;
  readonly metrics: LinkMetrics;
  readonly log?: AmiLinkDeps['log'];
}

/**
 * One link's stopped recordings: each file is read off the socket's path and the outcome goes back into the link's
 * pipeline, after the stop event (which was pushed first), so the call's sequence holds. Inspections never throw.
 */
export class RecordingWatch {
  private readonly running = new Set<Promise<void>>();

  constructor(private readonly d: RecordingWatchDeps) {}

  stopped(r: StoppedRecording): void {
    const run = inspectRecording(r, this.d.pbxLinkId, this.d.config).then((inspection) => {
      this.d.metrics.recording(inspection.ok ? 'stored' : inspection.failure);
      if (!inspection.ok) {
        this.d.log?.('warn', 'call recording not published (error)', { pbxLinkId: this.d.pbxLinkId, callKey: r.callKey, file: r.file, failure: inspection.failure, detail: inspection.detail });
      }
      this.d.push({ item: { kind: 'learnt', events: [inspection.event] }, receivedAtMs: Date.now() });
    }).finally(() => this.running.delete(run));
    this.running.add(run);
  }

  /** Recordings still being read (a stop waits for them, so their outcome is committed before the pipeline closes). */
  get pending(): number { return this.running.size; }

  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }
}
