import { envelope } from '@switchboard/reporting/src/wallboard/connect-protocol';

/**
 * Reads a Connect server stream (JSON codec) as the wallboard page does, calling `onMessage` with each message as it
 * arrives; ends when the server ends the stream or `signal` aborts.
 */
export async function readConnectStream<M>(url: string, token: string, request: object, onMessage: (m: M) => void, signal: AbortSignal): Promise<void> {
  const res = await fetch(url, { method: 'POST', body: envelope(0, request), signal,
    headers: { 'content-type': 'application/connect+json', authorization: `Bearer ${token}` } });
  if (!res.ok || res.body === null) throw new Error(`${url}: HTTP ${res.status}`);
  let buf = Buffer.alloc(0);
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    buf = Buffer.concat([buf, chunk]);
    while (buf.length >= 5 && buf.length >= 5 + buf.readUInt32BE(1)) {
      const len = buf.readUInt32BE(1);
      const flags = buf.readUInt8(0);
      const body = JSON.parse(buf.subarray(5, 5 + len).toString('utf8')) as M;
      buf = buf.subarray(5 + len);
      if (flags === 0) onMessage(body);
    }
  }
}

/** Nearest-rank percentile of an ascending list (NaN when empty). */
export const percentile = (sorted: readonly number[], p: number): number =>
  sorted.length === 0 ? Number.NaN : sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
