import { defineKpi } from './kpi';

/**
 * A visit's release is the earliest one (`released_by`). When a transfer was made during the visit, the earliest
 * release is the transferring agent's hand-over (the gateway emits it with the transfer, at the same instant): the
 * caller was passed on, not hung up on. The ground truth says so too (`releasedBy: 'transfer'`).
 */
export const releasedFirstViolations = defineKpi({
  id: 'released_first_violations', version: 2, name: 'Agent released first', unit: 'count',
  formula: 'Answered visits the agent hung up on the caller (the caller should release first). The hand-over of a transfer (blind or attended) ' +
    'ends the transferring agent\'s part with an agent release and is not counted. Timed-out visits have no handle time and are not counted.',
  source: 'floor rule from the seeds (QA call etiquette); ground truth releasedBy \'agent\' (a hand-over is \'transfer\')',
  inputs: ['agentReleasedFirst'], thresholds: [],
  compute: ({ calls }) => calls.agentReleasedFirst,
});

/** Version 1, kept to recompute history side by side: it counted every agent release, transfer hand-overs included. */
export const releasedFirstViolationsV1 = defineKpi({
  id: 'released_first_violations', version: 1, name: 'Agent released first', unit: 'count',
  formula: 'Answered visits the agent hung up before the caller (the caller should release first). Timed-out visits have no handle time and are not counted.',
  source: 'floor rule from the seeds (QA call etiquette)',
  inputs: ['agentReleasedFirst', 'agentReleasedAtTransfer'], thresholds: [],
  compute: ({ calls }) => calls.agentReleasedFirst + calls.agentReleasedAtTransfer,
});
