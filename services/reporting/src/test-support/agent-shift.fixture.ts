import {
  AgentLoggedIn, AgentLoggedOut, AgentQueueMembershipChanged, AgentStateChanged, createEnvelope, type AnyEvent, type DataOf, type EventDefinition,
} from '@switchboard/contracts';

const STATES = [{ status: 'ready' }, { status: 'not-ready', reason: 'break' }, { status: 'on-call', callId: 'nc1-c1' }, { status: 'wrap-up', callId: 'nc1-c1' }] as const;
const QUEUE_SETS = [['billing'], ['billing', 'sales'], ['sales'], []];

/**
 * Contract-valid agent events for a morning: each agent logs in, changes state, joins and leaves queues, logs out and
 * back in. Deterministic; 30 s steps, so no two events of one agent share a time.
 */
export function agentShift(agents: number, changesPerSession = 8): AnyEvent[] {
  const events: AnyEvent[] = [];
  for (let a = 0; a < agents; a++) {
    const agentId = `E${a + 1}`;
    const extension = `80${10 + a}`;
    let sequence = 0;
    let id = 0;
    let at = Date.parse('2025-03-14T01:00:00Z') + a * 7_000;
    const event = <E extends EventDefinition>(def: E, data: DataOf<E>): void => {
      at += 30_000;
      events.push(createEnvelope(def, { service: 'telephony-gateway', site: 'nanchang', tenant: 'acme', subject: agentId, sequence: ++sequence,
        id: `0190f3a2-5b1c-7${(id++).toString(16).padStart(3, '0')}-8a4e-2c0e9a1f${(a + 0x1000).toString(16)}`, time: new Date(at).toISOString(), data }) as unknown as AnyEvent);
    };
    for (let session = 0; session < 2; session++) {
      event(AgentLoggedIn, { agentId, extension, pbxLinkId: 'nc1', queueIds: QUEUE_SETS[(a + session) % 2] });
      let state = 0;
      for (let c = 0; c < changesPerSession; c++) {
        if (c % 3 === 2) {
          const queueIds = QUEUE_SETS[(a + c) % QUEUE_SETS.length];
          event(AgentQueueMembershipChanged, { agentId, extension, pbxLinkId: 'nc1', queueIds, added: queueIds, removed: [] });
        }
        const next = (state + 1 + ((a + c) % 3)) % STATES.length;
        event(AgentStateChanged, { agentId, extension, previous: STATES[state], current: STATES[next], previousStateSeconds: 30 } as DataOf<typeof AgentStateChanged>);
        state = next;
      }
      event(AgentLoggedOut, { agentId, extension, loggedOutBy: 'agent', sessionSeconds: 30 * (changesPerSession + 2) });
    }
  }
  return events.sort((x, y) => x.time.localeCompare(y.time));
}

/** The same events as another tenant's (agent ids unchanged, event ids distinct): agent ids are unique within a tenant only. */
export function inTenant(events: readonly AnyEvent[], tenant: string): AnyEvent[] {
  return events.map((e) => ({ ...e, tenant, id: `f${e.id.slice(1)}` }));
}

/** A seeded Fisher-Yates shuffle: every agent's events out of order, the same way on every run. */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const out = [...items];
  let s = seed;
  const random = () => ((s = (s * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out;
}
