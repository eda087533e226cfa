import type { Metadata } from '@grpc/grpc-js';
import { Controller, Inject } from '@nestjs/common';
import {
  LinkState, PbxProtocol, TelephonyGatewayServiceControllerMethods, type GetLinkStatusRequest, type GetLinkStatusResponse,
  type LookupCallerNumberRequest, type LookupCallerNumberResponse, type ResyncLinkRequest, type ResyncLinkResponse, type TelephonyGatewayServiceController,
} from '@switchboard/contracts/src/generated/switchboard/telephony_gateway/v1/telephony_gateway_service';
import { NotFoundError } from '@switchboard/domain-errors';
import { principalOf, Roles } from '@switchboard/service-kit';
import type { Pool } from 'pg';
import type { AmiLink } from '../ami/infrastructure/ami-link';
import type { EslLink } from '../esl/infrastructure/esl-link';
import { lookupCallerNumber } from './lookup-caller-number.handler';

/** Filled by main.ts once the database pool and the links exist. */
export interface GatewayPorts { pool: Pool | null; links: readonly AmiLink[]; eslLinks?: readonly EslLink[] }
export const GATEWAY_PORTS = Symbol('GATEWAY_PORTS');

const PROTOCOLS: Record<string, PbxProtocol> = { 'asterisk-ami': PbxProtocol.PBX_PROTOCOL_ASTERISK_AMI, 'freeswitch-esl': PbxProtocol.PBX_PROTOCOL_FREESWITCH_ESL };
const STATES: Record<string, LinkState> = { connecting: LinkState.LINK_STATE_CONNECTING, up: LinkState.LINK_STATE_UP, down: LinkState.LINK_STATE_DOWN, stopped: LinkState.LINK_STATE_DOWN };

@Controller()
@TelephonyGatewayServiceControllerMethods()
export class TelephonyGatewayGrpcController implements TelephonyGatewayServiceController {
  constructor(@Inject(GATEWAY_PORTS) private readonly ports: GatewayPorts) {}

  @Roles('director', 'manager', 'supervisor', 'team_leader', 'integrator')
  getLinkStatus(request: GetLinkStatusRequest): GetLinkStatusResponse {
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
    if (link === undefined) throw new NotFoundError('GATEWAY.LINK_NOT_FOUND', `no PBX link ${id}`);
    return link;
  }
}
