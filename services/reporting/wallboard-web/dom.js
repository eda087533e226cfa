// DOM and formatting helpers. Text goes in through textContent only: ids come from the data, never as HTML.

export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === 'class') el.className = v;
    else el.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children.flat()) if (c !== undefined && c !== null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s(tag, attrs = {}, text) {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  if (text !== undefined) el.textContent = text;
  return el;
}

export const duration = (seconds) => {
  if (seconds === undefined || seconds === null || Number.isNaN(seconds)) return '—';
  const t = Math.max(0, Math.floor(seconds));
  const hh = Math.floor(t / 3600);
  const mm = String(Math.floor((t % 3600) / 60)).padStart(2, '0');
  const ss = String(t % 60).padStart(2, '0');
  return hh > 0 ? `${hh}:${mm}:${ss}` : `${mm}:${ss}`;
};

export const pct = (v) => (v === undefined || v === null || Number.isNaN(v) ? '—' : `${v.toFixed(1)}%`);

export const kpi = (list, id) => (list ?? []).find((k) => k.kpiId === id)?.value;

export const STATES = {
  ready: { zh: '就绪', en: 'Ready' },
  'on-call': { zh: '通话', en: 'On call' },
  'wrap-up': { zh: '话后', en: 'Wrap-up' },
  'not-ready': { zh: '未就绪', en: 'Not ready' },
};

export const REASONS = {
  busy: '置忙 busy', break: '小休 break', meal: '就餐 meal', meeting: '会议 meeting', training: '培训 training', 'after-call-work': '话后 ACW',
};

/** HH:MM:SS of an instant in the site's time zone (the browser's own zone until the server told us). */
export function clockIn(iso, timeZone) {
  return new Intl.DateTimeFormat('en-GB', { timeZone, hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' }).format(new Date(iso));
}

/** YYYY-MM-DD and minute of day of an instant in a time zone. */
export function localParts(iso, timeZone) {
  const p = Object.fromEntries(new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' })
    .formatToParts(new Date(iso)).map((x) => [x.type, x.value]));
  return { date: `${p.year}-${p.month}-${p.day}`, minute: Number(p.hour) * 60 + Number(p.minute) };
}
