import type { StoppedRecording } from '../../call-tracking/domain/stopped-recording';
import { amiTimeMs } from './ami-vendor-events';
import { channelVariableOf, headerOf, knownHeaderOf, type AmiFrame } from './ami-frame';

type Frame = Pick<AmiFrame, 'headers'>;

/** Set by MixMonitor on the recorded channel: the file it writes (after any `.wav49` → `.WAV` rename). */
export const MIXMONITOR_FILENAME = 'MIXMONITOR_FILENAME';

/**
 * Open recordings kept at most. Not dropped at the channel's Hangup: MixMonitor's thread reports the stop when it
 * finishes, which can be after the Hangup; a recording never stopped is pushed out by newer ones.
 */
const MAX_OPEN = 10_000;

/**
 * Asterisk MixMonitor as AMI shows it: `MixMonitorStart`/`MixMonitorStop` carry only the channel snapshot, so the file
 * comes from `VarSet MIXMONITOR_FILENAME` on that channel (or `ChanVariable: MIXMONITOR_FILENAME=…` on the stop event
 * when manager.conf `channelvars=` lists it). Pure; remembers the open recordings per channel Uniqueid.
 */
export class MixMonitorFiles {
  private readonly open = new Map<string, { file: string | null; startedAtMs: number | null }>();

  /** The recording that stopped with this frame, if it is a MixMonitorStop. */
  observe(f: Frame, receivedAtMs: number): StoppedRecording | undefined {
    const event = headerOf(f, 'Event')?.toLowerCase();
    const channel = knownHeaderOf(f, 'Uniqueid');
    if (channel === undefined) return undefined;
    if (event === 'varset' && headerOf(f, 'Variable') === MIXMONITOR_FILENAME) this.note(channel, { file: knownHeaderOf(f, 'Value') ?? null });
    else if (event === 'mixmonitorstart') this.note(channel, { startedAtMs: amiTimeMs(f, receivedAtMs) });
    else if (event === 'mixmonitorstop') return this.stopped(f, channel, amiTimeMs(f, receivedAtMs));
    return undefined;
  }

  get size(): number { return this.open.size; }

  private note(channel: string, change: { file?: string | null; startedAtMs?: number }): void {
    const before = this.open.get(channel) ?? { file: null, startedAtMs: null };
    this.open.delete(channel);
    this.open.set(channel, { ...before, ...change });
    if (this.open.size > MAX_OPEN) this.open.delete(this.open.keys().next().value as string);
  }

  private stopped(f: Frame, channel: string, at: number): StoppedRecording | undefined {
    const callKey = knownHeaderOf(f, 'Linkedid') ?? channel;
    const open = this.open.get(channel);
    this.open.delete(channel);
    const file = channelVariableOf(f, MIXMONITOR_FILENAME) || open?.file || null;
    const startedAtMs = open?.startedAtMs ?? null;
    return { callKey, channel, file, at, reportedSeconds: startedAtMs === null ? null : Math.max(0, at - startedAtMs) / 1000 };
  }
}
