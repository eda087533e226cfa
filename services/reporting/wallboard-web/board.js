// The agent state board (time in state ticks locally between frames) and the sign-in monitoring snapshots.
import { clockIn, duration, h, REASONS, STATES } from './dom.js';

const ORDER = { 'not-ready': 0, 'wrap-up': 1, 'on-call': 2, ready: 3 };

const stateLabel = (a) => (a.state === 'not-ready' && a.reason ? REASONS[a.reason] ?? a.reason : `${STATES[a.state]?.zh ?? a.state} ${STATES[a.state]?.en ?? ''}`);

/** Seconds in state now: the server's figure plus the time since the frame arrived, at the data clock's pace. */
export const secondsNow = (a, frame) => a.secondsInState + ((Date.now() - frame.receivedAt) / 1000) * (frame.clockRate ?? 1);

export function renderBoard(container, summary, frame) {
  const agents = frame.agents.map((a) => {
    const secs = secondsNow(a, frame);
    return { ...a, secs, breached: a.breached || (a.limitSeconds !== undefined && secs > a.limitSeconds) };
  }).sort((a, b) => Number(b.breached) - Number(a.breached) || ORDER[a.state] - ORDER[b.state] || a.agentId.localeCompare(b.agentId));
  const counts = {};
  for (const a of agents) counts[a.state] = (counts[a.state] ?? 0) + 1;
  const breaches = agents.filter((a) => a.breached).length;
  summary.textContent = `签入 signed in ${agents.length}` + (breaches ? ` · 超时 over limit ${breaches}` : '');
  container.replaceChildren(...agents.map((a) => h('div', {
    class: `agent state-${a.state}${a.breached ? ' breach' : ''}`, 'data-agent': a.agentId, 'data-state': a.state,
    title: a.limitSeconds !== undefined ? `limit ${duration(a.limitSeconds)}` : undefined,
  },
  h('span', { class: 'agent-id' }, a.agentId),
  h('span', { class: 'agent-time', 'data-testid': 'time-in-state' }, duration(a.secs)),
  h('span', { class: 'agent-state' }, stateLabel(a)),
  a.breached ? h('span', { class: 'agent-limit' }, `超时 > ${duration(a.limitSeconds)}`) : null)));
  if (agents.length === 0) container.replaceChildren(h('div', { class: 'empty' }, '无坐席签入 no agent signed in'));
}

const STATUS = { taken: '已发布 published', due: '待拍摄 due', pending: '未到时间 later', missed: '未拍摄 missed' };

export function renderSignIn(container, day) {
  container.replaceChildren(...day.snapshots.map((snap) => {
    const counts = {};
    for (const a of snap.agents) counts[a.state] = (counts[a.state] ?? 0) + 1;
    const breached = snap.agents.filter((a) => a.breached);
    return h('div', { class: `snapshot status-${snap.status}`, 'data-slot': snap.slot },
      h('div', { class: 'snap-head' }, h('span', { class: 'snap-slot' }, snap.slot), h('span', { class: 'snap-status' }, STATUS[snap.status] ?? snap.status)),
      snap.status === 'taken' ? [
        h('div', { class: 'snap-total' }, h('b', {}, String(snap.agents.length)), ' 签入 signed in'),
        h('div', { class: 'chips' }, ...Object.keys(STATES).map((st) => h('span', { class: `chip state-${st}` }, `${STATES[st].zh} ${counts[st] ?? 0}`))),
        h('div', { class: 'snap-breach' }, breached.length ? `超时 over limit: ${breached.map((a) => a.agentId).join(', ')}` : '无超时 no breach'),
        h('div', { class: 'snap-taken' }, `拍摄于 taken ${clockIn(snap.takenAt, day.timeZone)}`),
      ] : h('div', { class: 'snap-empty' }, '—'));
  }));
}
