import type { Metadata } from '@grpc/grpc-js';
import { Controller, Inject } from '@nestjs/common';
import {
  LinkState, PbxProtocol, TelephonyGatewayServiceControllerMethods, type GetLinkStatusRequest, type GetLinkStatusResponse,
  type LookupCallerNumberRequest, type LookupCallerNumberResponse, type ResyncLinkRequest, type ResyncLinkResponse, type TelephonyGatewayServiceController,
} from '@switchboard/contracts/src/generated/switchboard/telephony_gateway/v1/telephony_gateway_service';
import { NotFoundError, PreconditionFailedError } from '@switchboard/domain-errors';
import { principalOf, Roles } from '@switchboard/service-kit';
import type { Pool } from 'pg';
import type { AmiLink } from '../ami/infrastructure/ami-link';
import type { EslLink } from '../esl/infrastructure/esl-link';
import type { LeaseStatus } from '../link-lease/infrastructure/link-leasing';
import { lookupCallerNumber } from './lookup-caller-number.handler';

/** Filled by main.ts once the database pool and the links exist; `leases` names the links another replica runs now. */
export interface GatewayPorts { pool: Pool | null; links: readonly AmiLink[]; eslLinks?: readonly EslLink[]; leases?: () => readonly LeaseStatus[] }
export const GATEWAY_PORTS = Symbol('GATEWAY_PORTS');

const PROTOCOLS: Record<string, PbxProtocol> = { 'asterisk-ami': PbxProtocol.PBX_PROTOCOL_ASTERISK_AMI, 'freeswitch-esl': PbxProtocol.PBX_PROTOCOL_FREESWITCH_ESL };
const STATES: Record<string, LinkState> = { connecting: LinkState.LINK_STATE_CONNECTING, up: LinkState.LINK_STATE_UP, down: LinkState.LINK_STATE_DOWN, stopped: LinkState.LINK_STATE_DOWN };

@Controller()
@TelephonyGatewayServiceControllerMethods()
export class TelephonyGatewayGrpcController implements TelephonyGatewayServiceController {
  constructor(@Inject(GATEWAY_PORTS) private readonly ports: GatewayPorts) {}

  @Roles('director', 'manager', 'supervisor', 'team_leader', 'integrator')
  getLinkStatus(request: GetLinkStatusRequest): GetLinkStatusResponse {
    if (this.standingBy(request.pbxLinkId)) return standbyStatus(request.pbxLinkId);
    const s = this.link(request.pbxLinkId).status();
    return {
      pbxLinkId: s.pbxLinkId, protocol: PROTOCOLS[s.protocol] ?? PbxProtocol.PBX_PROTOCOL_UNSPECIFIED, state: STATES[s.state] ?? LinkState.LINK_STATE_UNSPECIFIED,
      banner: s.banner, stateSince: undefined, lastFrameAt: undefined, framesReceived: String(s.framesCommitted), bufferedEvents: String(s.backlog), reconnectAttempts: s.reconnectAttempts,
    } as GetLinkStatusResponse;
  }

  @Roles('director', 'manager', 'supervisor')
  async resyncLink(request: ResyncLinkRequest): Promise<ResyncLinkResponse> {
    const { callsCorrected, agentsCorrected } = await this.link(request.pbxLinkId).resync();
    return { callsCorrected, agentsCorrected };
  }

  // Every authenticated caller reaches the handler so that denials are audited too.
  async lookupCallerNumber(request: LookupCallerNumberRequest, metadata?: Metadata): Promise<LookupCallerNumberResponse> {
    const r = await lookupCallerNumber(this.ports.pool!, principalOf(metadata!), request.callId, request.justification);
    return { callId: r.callId, callerNumber: r.callerNumber, auditId: r.auditId };
  }

  private link(id: string): AmiLink | EslLink {
    const link = [...this.ports.links, ...(this.ports.eslLinks ?? [])].find((l) => l.config.pbxLinkId === id);
    if (link !== undefined) return link;
    if (this.standingBy(id)) throw new PreconditionFailedError('GATEWAY.LINK_STANDBY', `PBX link ${id} is run by another gateway replica (this one stands by); ask that one`);
    throw new NotFoundError('GATEWAY.LINK_NOT_FOUND', `no PBX link ${id}`);
  }

  private standingBy(id: string): boolean {
    return this.ports.leases?.().some((l) => l.pbxLinkId === id && l.status === 'standby') ?? false;
  }
}

/** A link this replica stands by for (ADR 0010): not connected here, the lease holder is. */
export function standbyStatus(pbxLinkId: string): GetLinkStatusResponse {
  return {
    pbxLinkId, protocol: PbxProtocol.PBX_PROTOCOL_UNSPECIFIED, state: LinkState.LINK_STATE_STANDBY, banner: STANDBY_BANNER,
    stateSince: undefined, lastFrameAt: undefined, framesReceived: '0', bufferedEvents: '0', reconnectAttempts: 0,
  } as GetLinkStatusResponse;
}

export const STANDBY_BANNER = 'standby: another gateway replica holds this link\'s lease';
