import { RECORDING_HORIZON_MS } from './call-center.tracker';
import type { CallState } from './call.state';
import type { StoppedRecording } from './stopped-recording';

const lastPbxTimeOf = (s: CallState): number =>
  s.status === 'queued' ? s.queuedAtMs : s.status === 'connected' ? s.answeredAtMs : s.status === 'ended' ? s.endedAtMs : 0;

/**
 * The recordings a link's persisted calls still wait for, to be read again at start (a gateway stopped or killed
 * between the stop event and the file's read). Recordings noted without their file (states of earlier versions) cannot
 * be read again and are left to the horizon, as are those of calls that ended more than RECORDING_HORIZON_MS before
 * the latest PBX time the link's state knows: the tracker forgets those calls, and their outcome would have no call.
 */
export function recordingsToReread(calls: ReadonlyMap<string, CallState>): StoppedRecording[] {
  let latest = 0;
  for (const s of calls.values()) latest = Math.max(latest, lastPbxTimeOf(s));
  const out: StoppedRecording[] = [];
  for (const [callKey, s] of calls) {
    if (s.status === 'none' || (s.status === 'ended' && latest - s.endedAtMs > RECORDING_HORIZON_MS)) continue;
    for (const r of s.recordings) {
      if (r.file === undefined) continue;
      out.push({ callKey, channel: r.channel, file: r.file, at: r.stoppedAtMs ?? lastPbxTimeOf(s), reportedSeconds: r.reportedSeconds ?? null });
    }
  }
  return out;
}
