// Wallboard page: per-queue tiles from ReportingService.WatchRealtime, the day's chart from GetIntervalReport,
// the agent board from WallboardService.WatchAgentBoard and RP-03 snapshots from ListSignInSnapshots — all over
// the Connect protocol on this origin, with the bearer token taken from the URL fragment (#token=…).
import { renderBoard, renderSignIn } from './board.js';
import { renderChart } from './chart.js';
import { connectClient } from './connect-client.js';
import { clockIn, duration, h, kpi, pct, STATES } from './dom.js';

const REPORTING = '/switchboard.reporting.v1.ReportingService';
const WALLBOARD = '/switchboard.reporting.wallboard.v1.WallboardService';

function settingsFromFragment() {
  const params = new URLSearchParams(location.hash.slice(1));
  if (params.has('token')) {
    sessionStorage.setItem('sb.wallboard.token', params.get('token'));
    params.delete('token');
    // Keep the token out of the address bar, history and screenshots of the screen.
    history.replaceState(null, '', `${location.pathname}${params.size ? `#${params}` : ''}`);
  }
  return {
    token: sessionStorage.getItem('sb.wallboard.token'),
    slKpi: params.get('sl') ?? 'service_level_connect',
    queueIds: (params.get('queues') ?? '').split(',').filter(Boolean),
    intervalSeconds: Number(params.get('interval') ?? 1800),
  };
}

const settings = settingsFromFragment();
const el = (id) => document.getElementById(id);
const state = { connection: 'connecting', connectionError: null, snapshot: null, board: null, day: null, timeZone: undefined, lastMessageAt: 0, definitions: new Map() };

function showError(text) {
  el('error').hidden = false;
  el('error').textContent = text;
}

function renderTiles(snapshot) {
  const tiles = snapshot.queues.map((q) => {
    const sl = kpi(q.today, settings.slKpi);
    const wait = q.longestWaitSeconds ?? 0;
    return h('article', { class: `tile${(q.waitingCalls ?? 0) > 0 ? ' has-waiting' : ''}`, 'data-queue': q.queueId },
      h('h3', { class: 'queue-name' }, q.queueId),
      h('div', { class: 'waiting' }, h('span', { class: 'big', 'data-testid': 'waiting' }, String(q.waitingCalls ?? 0)), h('span', { class: 'label' }, '排队 waiting')),
      h('div', { class: 'figures' },
        h('div', { class: `figure${wait > 60 ? ' warn' : ''}` }, h('b', { 'data-testid': 'longest-wait' }, duration(wait)), h('span', {}, '最长等待 longest wait')),
        h('div', { class: `figure${sl !== undefined && sl !== null && sl < 80 ? ' warn' : ''}`, title: state.definitions.get(settings.slKpi) },
          h('b', { 'data-testid': 'service-level' }, pct(sl)), h('span', {}, '服务水平 SL')),
        h('div', { class: 'figure', title: state.definitions.get('answer_rate') },
          h('b', { 'data-testid': 'answer-rate' }, pct(kpi(q.today, 'answer_rate'))), h('span', {}, '接通率 answer rate'))),
      h('div', { class: 'chips' },
        ...[['ready', q.agentsReady], ['on-call', q.agentsOnCall], ['wrap-up', q.agentsWrapUp], ['not-ready', q.agentsNotReady]]
          .map(([st, n]) => h('span', { class: `chip state-${st}`, 'data-testid': `agents-${st}` }, `${STATES[st].zh} ${STATES[st].en} ${n ?? 0}`))));
  });
  el('queues').replaceChildren(...(tiles.length ? tiles : [h('div', { class: 'empty' }, '暂无队列数据 no queue activity yet')]));
}

function renderStatus() {
  const { connection: kind, connectionError: detail } = state;
  const stale = kind === 'live' && Date.now() - state.lastMessageAt > 7000;
  const lag = Number(state.snapshot?.lagEvents ?? 0);
  // Only a stream that was live and failed is reconnecting; the first attempt is still connecting.
  const firstAttempt = kind === 'connecting' && state.lastMessageAt === 0;
  const label = kind === 'denied' ? '无权限 access denied' : firstAttempt ? '连接中 connecting…' : kind !== 'live' ? '重新连接 reconnecting…'
    : stale ? '数据延迟 stale' : lag > 0 ? `实时 live · 积压 lag ${lag}` : '实时 live';
  el('status').className = `status ${firstAttempt ? 'connecting' : kind === 'live' && !stale ? 'live' : 'down'}`;
  el('status').textContent = label;
  if (kind === 'denied') showError(`令牌被拒绝 token refused: ${detail?.message ?? ''}`);
  else if (kind === 'reconnecting' && detail) el('status').title = detail.message;
}

/** The server's clock (the snapshot's as-of, advanced locally at the data clock's pace) in the site's zone. */
function renderClock() {
  if (!state.snapshot || !state.timeZone) return;
  const at = new Date(new Date(state.snapshot.asOf).getTime() + (Date.now() - state.lastMessageAt) * (state.board?.clockRate ?? 1));
  el('clock').textContent = clockIn(at.toISOString(), state.timeZone);
}

let lastChartAt = 0;
async function refreshDay(client, force = false) {
  if (!state.snapshot || (!force && Date.now() - lastChartAt < 5000)) return;
  lastChartAt = Date.now();
  const asOf = new Date(state.snapshot.asOf);
  state.day = await client.unary(`${WALLBOARD}/ListSignInSnapshots`, {});
  state.timeZone = state.day.timeZone;
  renderSignIn(el('signin'), state.day);
  renderClock();
  const report = await client.unary(`${REPORTING}/GetIntervalReport`, {
    queueIds: settings.queueIds, intervalSeconds: settings.intervalSeconds,
    range: { start: new Date(asOf.getTime() - 86_400_000).toISOString(), end: new Date(asOf.getTime() + 1000).toISOString() },
  });
  renderChart(el('chart'), { rows: report.rows ?? [], slKpi: settings.slKpi, intervalSeconds: settings.intervalSeconds, timeZone: state.timeZone, date: state.day.date });
}

function start() {
  if (!settings.token) {
    showError('缺少令牌 missing token: open this page as …/#token=<supervisor JWT> (npm start prints the link)');
    return;
  }
  const client = connectClient(settings.token);
  client.unary(`${REPORTING}/ListKpiDefinitions`, {}).then((r) => r.definitions.forEach((d) => state.definitions.set(d.kpiId, `${d.name}: ${d.definition}`)), () => undefined);
  client.watch(`${REPORTING}/WatchRealtime`, { queueIds: settings.queueIds }, (m) => {
    state.snapshot = m.snapshot;
    state.lastMessageAt = Date.now();
    renderTiles(m.snapshot);
    renderClock();
    refreshDay(client).catch((e) => showError(e.message));
  }, (kind, error) => {
    state.connection = kind;
    state.connectionError = error ?? null;
    renderStatus();
  });
  client.watch(`${WALLBOARD}/WatchAgentBoard`, {}, (m) => {
    state.board = { ...m, receivedAt: Date.now() };
    renderBoard(el('board'), el('board-summary'), state.board);
  }, () => undefined);
  setInterval(() => {
    if (state.board) renderBoard(el('board'), el('board-summary'), state.board);
    renderClock();
    renderStatus();
  }, 1000);
  setInterval(() => refreshDay(client, true).catch(() => undefined), 30_000);
}

start();
