import type { BucketRow } from '../reports/application/report-reader';

const quote = (v: string): string => (/[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

/**
 * One line per row (queue or agent, bucket start) and one column per KPI id, in first-seen order; a KPI undefined
 * for a row is left empty rather than written as 0.
 */
export function toCsvLines(keyColumn: string, rows: readonly BucketRow[]): string[] {
  const ids: string[] = [];
  for (const r of rows) for (const f of r.figures) if (!ids.includes(f.kpiId)) ids.push(f.kpiId);
  const header = [keyColumn, 'bucket_start', ...ids].map(quote).join(',');
  const lines = rows.map((r) => {
    const byId = new Map(r.figures.map((f) => [f.kpiId, f.value]));
    return [quote(r.key), r.bucketStart.toISOString(), ...ids.map((id) => (byId.has(id) ? String(byId.get(id)) : ''))].join(',');
  });
  return [header, ...lines].map((l) => `${l}\r\n`);
}

/** Lines grouped into chunks of about `size` bytes, so large exports stream. */
export function chunkLines(lines: readonly string[], size = 64 * 1024): Buffer[] {
  const chunks: Buffer[] = [];
  let current = '';
  for (const line of lines) {
    current += line;
    if (current.length >= size) {
      chunks.push(Buffer.from(current, 'utf8'));
      current = '';
    }
  }
  if (current !== '' || chunks.length === 0) chunks.push(Buffer.from(current, 'utf8'));
  return chunks;
}
