/** What a recording file's bytes say about it; pure (the bytes are read by the inspection). */

/** RIFF/WAVE: the header Asterisk and FreeSWITCH write; the sizes in it are patched when the file is closed. */
export type WavReading =
  | { readonly kind: 'complete'; readonly durationSeconds: number }
  /** Sizes still 0 or short of the file, or the data chunk not yet there: the PBX has not closed the file. */
  | { readonly kind: 'still-writing' }
  | { readonly kind: 'not-wav' };

const ascii = (b: Uint8Array, at: number) => String.fromCharCode(b[at], b[at + 1], b[at + 2], b[at + 3]);
const u32 = (b: Uint8Array, at: number) => (b[at] | (b[at + 1] << 8) | (b[at + 2] << 16) | (b[at + 3] << 24)) >>> 0;

/** Reads the length of a WAV file from its first bytes (at least the header; 4 KiB is plenty) and its size on disk. */
export function readWav(head: Uint8Array, fileSize: number): WavReading {
  if (head.length < 12 || ascii(head, 0) !== 'RIFF' || ascii(head, 8) !== 'WAVE') return { kind: 'not-wav' };
  if (u32(head, 4) + 8 !== fileSize) return { kind: 'still-writing' };
  let byteRate = 0;
  for (let at = 12; at + 8 <= head.length;) {
    const id = ascii(head, at);
    const size = u32(head, at + 4);
    if (id === 'fmt ' && at + 16 <= head.length) byteRate = u32(head, at + 16);
    if (id === 'data') {
      if (byteRate === 0 || at + 8 + size > fileSize) return { kind: 'still-writing' };
      return { kind: 'complete', durationSeconds: size / byteRate };
    }
    at += 8 + size + (size % 2);
  }
  return { kind: 'still-writing' };
}

const MEDIA_TYPES: Readonly<Record<string, string>> = {
  wav: 'audio/wav', wav49: 'audio/wav', gsm: 'audio/x-gsm', mp3: 'audio/mpeg', ogg: 'audio/ogg', opus: 'audio/ogg',
  ulaw: 'audio/basic', alaw: 'audio/x-alaw-basic', sln: 'audio/l16', g722: 'audio/g722',
};

/** The media type by file extension (Asterisk writes `.WAV` for wav49); unknown formats are `audio/x-unknown`. */
export function mediaTypeOf(file: string): string {
  const ext = /\.([A-Za-z0-9]+)$/.exec(file)?.[1]?.toLowerCase() ?? '';
  return MEDIA_TYPES[ext] ?? 'audio/x-unknown';
}

/**
 * The file's path under the recordings directory the PBX writes to (`pbxDirectory`, as the PBX names it), or null when
 * the PBX names a file outside it: the gateway reads only what that directory holds (it is mounted read-only).
 */
export function relativeRecordingPath(pbxDirectory: string, file: string): string | null {
  const dir = pbxDirectory.replace(/\/+$/, '');
  const relative = file.startsWith('/') ? (file.startsWith(`${dir}/`) ? file.slice(dir.length + 1) : null) : file;
  if (relative === null || relative === '') return null;
  const parts = relative.split('/');
  return parts.some((p) => p === '..' || p === '.' || p === '') ? null : relative;
}

/** storageUri: the configured base plus the relative path, each segment URI-encoded. */
export const storageUriOf = (baseUri: string, relative: string): string =>
  `${baseUri.replace(/\/+$/, '')}/${relative.split('/').map(encodeURIComponent).join('/')}`;

/** recordingId: the link plus the relative path (unique per file on a PBX), cut to the contract's 128 characters. */
export const recordingIdOf = (pbxLinkId: string, relative: string): string => `${pbxLinkId}:${relative}`.slice(-128);
