import { Type } from '@sinclair/typebox';

/** Building blocks shared by several events. Ids are opaque strings chosen by the owning service. */
export const Ident = (description: string) => Type.String({ minLength: 1, maxLength: 128, description });

export const CallId = Ident('Call id: the PBX Linkedid (Asterisk) or call UUID (FreeSWITCH), prefixed by the link');
export const AgentId = Ident('Agent (employee) id');
export const QueueId = Ident('Queue id as configured in routing');
export const SkillId = Ident('Skill id, e.g. "billing.mandarin"');
export const PbxLinkId = Ident('Id of the configured PBX/CTI link the event came through');
export const Extension = Type.String({ pattern: '^[0-9A-Za-z*#+/@._-]{1,64}$', description: 'Seat / extension / device' });

export const Seconds = (description: string) => Type.Number({ minimum: 0, description: `${description} (seconds)` });
export const Millis = (description: string) => Type.Integer({ minimum: 0, description: `${description} (milliseconds)` });
export const Count = (description: string) => Type.Integer({ minimum: 0, description });
export const Position = (description: string) => Type.Integer({ minimum: 1, description });

/**
 * Caller identity on public topics: never the clear number. `callerHash` is HMAC-SHA256 (hex) of the E.164 number
 * under a tenant key held by the gateway (stable for repeat-caller/FCR analysis); `callerMasked` keeps at most the
 * first 3 and last 4 digits. The clear number is released only through the audited gateway gRPC call.
 */
export const CallerHash = Type.String({ pattern: '^[0-9a-f]{64}$', description: 'HMAC-SHA256 hex of the caller number' });
export const CallerMasked = Type.String({
  pattern: '^(\\+?[0-9]{0,4}\\*{3,}[0-9]{0,4}|anonymous)$',
  description: 'Masked caller number, e.g. 138****5678; "anonymous" when withheld',
});

export const HoldCount = Type.Integer({ minimum: 1, description: 'Ordinal of this hold since the agent answered (1 = first hold of this answered queue visit)' });

/** Where a call was transferred or conferenced to. A discriminated union rather than optional fields. */
export const PartyTarget = Type.Union(
  [
    Type.Object({ kind: Type.Literal('agent'), agentId: AgentId }),
    Type.Object({ kind: Type.Literal('queue'), queueId: QueueId }),
    Type.Object({ kind: Type.Literal('external'), numberMasked: CallerMasked }),
  ],
  { description: 'Target party' },
);
