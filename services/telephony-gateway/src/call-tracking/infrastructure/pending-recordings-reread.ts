import type { Pool } from 'pg';
import type { AmiLinkDeps } from '../../ami/infrastructure/ami-link';
import type { GatewayMetrics } from '../../ami/infrastructure/link-metrics';
import type { PipelineItem } from '../../publishing/prepare-batch';
import { upgradeCallState, type CallState } from '../domain/call.state';
import { recordingsToReread } from '../domain/pending-recordings';
import type { StoppedRecording } from '../domain/stopped-recording';
import type { RecordingsConfig } from './recording-inspector';
import { RecordingWatch } from './recording-watch';

/**
 * The recordings a link's persisted calls still wait for (noted with their stop event, in the same statement as the
 * call's state), to be read again when the link starts. Read after the link's state is loaded and before it receives
 * anything, so exactly what the previous holder left is re-armed.
 */
export async function pendingRecordingsOf(pool: Pool, pbxLinkId: string): Promise<StoppedRecording[]> {
  const { rows } = await pool.query<{ subject: string; state: CallState }>(
    `select subject, state from gw_subject_state
      where pbx_link_id = $1 and kind = 'call' and jsonb_typeof(state->'recordings') = 'array' and jsonb_array_length(state->'recordings') > 0`, [pbxLinkId]);
  return recordingsToReread(new Map(rows.map((r) => [r.subject, upgradeCallState(r.state)])));
}

/** A started link whose pipeline takes the outcomes (AmiLink, EslLink). */
export interface RereadingLink {
  readonly config: { readonly pbxLinkId: string };
  readonly pipeline: { push(item: PipelineItem): void; readonly backlog: number };
  status(): { readonly protocol: string; readonly state: string };
}

/**
 * What reads, once a link has started, the recordings `pending` (read at its open) again: their outcomes go into the
 * link's pipeline, counted on the link's metrics; stopping waits for the reads. Null when nothing is pending.
 */
export function rereadingCompanion(pending: readonly StoppedRecording[], o: { config: RecordingsConfig; metrics: GatewayMetrics; log?: AmiLinkDeps['log'] }) {
  if (pending.length === 0) return null;
  return {
    name: 'pending recordings re-read',
    start: async (link: RereadingLink): Promise<{ stop(): Promise<void> }> => {
      const pbxLinkId = link.config.pbxLinkId;
      // The link's own gauges are reported already; this probe reports the same values under the same labels.
      const metrics = o.metrics.forLink({ pbxLinkId, protocol: link.status().protocol, isUp: () => link.status().state === 'up', backlog: () => link.pipeline.backlog });
      const watch = new RecordingWatch({ pbxLinkId, config: o.config, push: (i) => link.pipeline.push(i), metrics, log: o.log });
      o.log?.('info', 'recordings pending at the last stop read again', { pbxLinkId, recordings: pending.length });
      pending.forEach((r) => watch.stopped(r));
      return { stop: () => watch.settled().finally(() => metrics.closed()) };
    },
  };
}
