// The day's interval chart as plain SVG: offered and answered bars per interval, service level as a line.
import { h, kpi, localParts, s } from './dom.js';

const W = 900;
const H = 260;
const PAD = { l: 44, r: 44, t: 14, b: 28 };

/** Sums the queues' rows per interval; SL is weighted by offered (exact for the Connect variant). */
export function totalsByInterval(rows, slKpi) {
  const byStart = new Map();
  for (const r of rows) {
    const t = byStart.get(r.intervalStart) ?? { start: r.intervalStart, offered: 0, answered: 0, slWeighted: 0 };
    const offered = kpi(r.kpis, 'offered') ?? 0;
    t.offered += offered;
    t.answered += kpi(r.kpis, 'answered') ?? 0;
    t.slWeighted += (kpi(r.kpis, slKpi) ?? 0) * offered;
    byStart.set(r.intervalStart, t);
  }
  return [...byStart.values()].map((t) => ({ ...t, sl: t.offered > 0 ? t.slWeighted / t.offered : null }));
}

export function renderChart(container, { rows, slKpi, intervalSeconds, timeZone, date }) {
  const slots = (24 * 3600) / intervalSeconds;
  const today = totalsByInterval(rows, slKpi)
    .map((t) => ({ ...t, local: localParts(t.start, timeZone) }))
    .filter((t) => t.local.date === date);
  const max = Math.max(10, ...today.map((t) => t.offered));
  const top = Math.ceil(max / 5) * 5;
  const iw = W - PAD.l - PAD.r;
  const ih = H - PAD.t - PAD.b;
  const bw = iw / slots;
  const y = (v) => PAD.t + ih - (v / top) * ih;
  const svg = s('svg', { viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'interval chart', class: 'chart-svg' });
  for (let i = 0; i <= 5; i++) {
    const v = (top / 5) * i;
    svg.append(s('line', { x1: PAD.l, x2: W - PAD.r, y1: y(v), y2: y(v), class: 'grid' }));
    svg.append(s('text', { x: PAD.l - 6, y: y(v) + 4, class: 'axis', 'text-anchor': 'end' }, String(v)));
    svg.append(s('text', { x: W - PAD.r + 6, y: y(v) + 4, class: 'axis sl-axis' }, `${20 * i}%`));
  }
  for (let hr = 0; hr <= 24; hr += 2) {
    svg.append(s('text', { x: PAD.l + (hr * 3600 / intervalSeconds) * bw, y: H - 8, class: 'axis', 'text-anchor': 'middle' }, `${String(hr).padStart(2, '0')}:00`));
  }
  const points = [];
  for (const t of today) {
    const slot = Math.floor((t.local.minute * 60) / intervalSeconds);
    const x = PAD.l + slot * bw;
    const minute = (slot * intervalSeconds) / 60;
    const interval = `${String(Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}`;
    svg.append(s('rect', { x: x + 1, y: y(t.offered), width: Math.max(1, bw - 2), height: PAD.t + ih - y(t.offered), class: 'bar-offered', 'data-interval': interval, 'data-value': t.offered }));
    svg.append(s('rect', { x: x + bw * 0.25, y: y(t.answered), width: Math.max(1, bw * 0.5), height: PAD.t + ih - y(t.answered), class: 'bar-answered', 'data-interval': interval, 'data-value': t.answered }));
    if (t.sl !== null) points.push([x + bw / 2, PAD.t + ih - (t.sl / 100) * ih]);
  }
  if (points.length > 0) {
    svg.append(s('polyline', { points: points.map((p) => p.join(',')).join(' '), class: 'sl-line' }));
    for (const [px, py] of points) svg.append(s('circle', { cx: px, cy: py, r: 3.5, class: 'sl-dot' }));
  }
  const legend = h('div', { class: 'legend' },
    h('span', { class: 'key offered' }, '来电 offered'), h('span', { class: 'key answered' }, '接通 answered'), h('span', { class: 'key sl' }, '服务水平 SL %'),
    h('span', { class: 'total' }, `今日 today: ${today.reduce((a, t) => a + t.offered, 0)} / ${today.reduce((a, t) => a + t.answered, 0)}`));
  container.replaceChildren(svg, legend);
}
