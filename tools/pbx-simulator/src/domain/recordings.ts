/**
 * Call recordings as the simulated PBX makes them: one per answered contact, from the answer to the end of the
 * conversation (release or transfer), written as a small real WAV file (8-bit mono PCM at a low sample rate, so a day
 * of recordings stays a few megabytes). Pure: the bytes are a function of the contact; the runtime writes them.
 */
export const RECORDING_SAMPLE_RATE = 200;
const HEADER_BYTES = 44;

export interface RecordingSpec {
  /** File name under the recordings directory. */
  readonly fileName: string;
  readonly samples: number;
  readonly durationSeconds: number;
}

export function recordingSpec(queue: string, contactId: string, answeredAtMs: number, endedAtMs: number): RecordingSpec {
  const samples = Math.max(1, Math.round(((endedAtMs - answeredAtMs) * RECORDING_SAMPLE_RATE) / 1000));
  return { fileName: `q-${queue}-${contactId}.wav`, samples, durationSeconds: samples / RECORDING_SAMPLE_RATE };
}

const hash32 = (text: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return h >>> 0;
};

/**
 * The WAV bytes. `final: false` is the file as the PBX has it before closing it: the RIFF and data sizes still 0
 * (Asterisk and FreeSWITCH patch them on close), which a reader must not take for the finished recording.
 */
export function wavBytes(spec: RecordingSpec, seedText: string, final = true): Uint8Array {
  const out = new Uint8Array(HEADER_BYTES + spec.samples);
  const view = new DataView(out.buffer);
  const ascii = (at: number, s: string) => { for (let i = 0; i < 4; i++) out[at + i] = s.charCodeAt(i); };
  ascii(0, 'RIFF');
  view.setUint32(4, final ? 36 + spec.samples : 0, true);
  ascii(8, 'WAVE');
  ascii(12, 'fmt ');
  view.setUint32(16, 16, true);
  view.setUint16(20, 1, true); // PCM
  view.setUint16(22, 1, true); // mono
  view.setUint32(24, RECORDING_SAMPLE_RATE, true);
  view.setUint32(28, RECORDING_SAMPLE_RATE, true); // byte rate: 1 byte per sample
  view.setUint16(32, 1, true);
  view.setUint16(34, 8, true);
  ascii(36, 'data');
  view.setUint32(40, final ? spec.samples : 0, true);
  let x = hash32(seedText) || 1;
  for (let i = 0; i < spec.samples; i++) {
    x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
    out[HEADER_BYTES + i] = 128 + Math.round(60 * Math.sin(i / 3)) + ((x >>> 0) % 9) - 4;
  }
  return out;
}

/** Every fourth recording (by contact) is still being flushed when its stop event goes out, as on a busy PBX. */
export const flushedLate = (contactId: string): boolean => hash32(contactId) % 4 === 0;
