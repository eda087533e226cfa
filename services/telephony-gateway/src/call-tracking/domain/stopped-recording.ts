/**
 * A recording the PBX says it stopped, as the adapters hand it to the file inspection: where the PBX wrote it and how
 * long the PBX thinks it is (FreeSWITCH `variable_record_ms`; Asterisk's start/stop times), for formats whose length
 * the gateway cannot read from the file itself.
 */
export interface StoppedRecording {
  readonly callKey: string;
  /** The channel recorded (Uniqueid / Unique-ID): a call may have several recordings, one per channel at a time. */
  readonly channel: string;
  /** The file as the PBX named it (absolute on the PBX host); null when the PBX never said. */
  readonly file: string | null;
  readonly at: number;
  readonly reportedSeconds: number | null;
}

/** Marks the recording stop among an AMI frame's vendor events with its file, as MixMonitorFiles found it. */
export function withStoppedFile<E extends { readonly type: string }>(events: readonly E[], stopped: StoppedRecording): E[] {
  return events.map((e) => (e.type === 'RecordingStopped' && (e as { channel?: string }).channel === stopped.channel
    ? { ...e, file: stopped.file, reportedSeconds: stopped.reportedSeconds } : e));
}
