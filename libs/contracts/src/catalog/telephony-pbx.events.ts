import { Type } from '@sinclair/typebox';
import { defineEvent } from './define-event';
import { Count, PbxLinkId, Seconds } from './common.schema';

/** Health of the PBX/CTI links, for floor emergency handling (GW-14). Topic key and subject: the PBX link id. */
const subject = 'PBX link id';

export const PbxProtocol = Type.Union([
  Type.Literal('asterisk-ami'),
  Type.Literal('freeswitch-esl'),
  Type.Literal('webhook'),
]);

export const PbxLinkDown = defineEvent({
  name: 'PbxLinkDown',
  type: 'switchboard.telephony.pbx.link-down.v1',
  description: 'The gateway lost its connection to a PBX/CTI link.',
  subject,
  data: Type.Object({
    pbxLinkId: PbxLinkId,
    protocol: PbxProtocol,
    endpoint: Type.String({ minLength: 1, description: 'host:port or URL of the link' }),
    reason: Type.String({ minLength: 1, maxLength: 512, description: 'Socket error, login failure, keepalive timeout…' }),
  }),
});

export const PbxLinkUp = defineEvent({
  name: 'PbxLinkUp',
  type: 'switchboard.telephony.pbx.link-up.v1',
  description: 'The gateway (re)connected to a PBX/CTI link and resynchronised its state.',
  subject,
  data: Type.Object({
    pbxLinkId: PbxLinkId,
    protocol: PbxProtocol,
    endpoint: Type.String({ minLength: 1 }),
    banner: Type.String({ description: 'Protocol banner/version, e.g. "Asterisk Call Manager/11.0.0"' }),
    downtimeSeconds: Seconds('Since the matching PbxLinkDown; 0 on first connect'),
  }),
});

export const PbxFrequentDropsDetected = defineEvent({
  name: 'PbxFrequentDropsDetected',
  type: 'switchboard.telephony.pbx.frequent-drops-detected.v1',
  description: 'Calls on a link are dropping abnormally often (system-released calls over a threshold).',
  subject,
  data: Type.Object({
    pbxLinkId: PbxLinkId,
    windowSeconds: Seconds('Detection window'),
    droppedCalls: Count('System-released calls in the window'),
    totalCalls: Count('All ended calls in the window'),
    threshold: Count('Dropped calls per window that triggers the incident'),
  }),
});

export const telephonyPbxEvents = [PbxLinkDown, PbxLinkUp, PbxFrequentDropsDetected] as const;
