import { LinkState } from '@switchboard/contracts/src/generated/switchboard/telephony_gateway/v1/telephony_gateway_service';
import { NotFoundError, PreconditionFailedError } from '@switchboard/domain-errors';
import { STANDBY_BANNER, TelephonyGatewayGrpcController, type GatewayPorts } from './telephony-gateway.grpc-controller';

describe('link status on a replica standing by for a PBX link', () => {
  const ports: GatewayPorts = { pool: null, links: [], eslLinks: [], leases: () => [{ pbxLinkId: 'asterisk-1', status: 'standby' }] };
  const controller = new TelephonyGatewayGrpcController(ports);

  it('should answer the link as down here, with a banner saying another replica holds its lease', () => {
    expect(controller.getLinkStatus({ pbxLinkId: 'asterisk-1' })).toMatchObject({ pbxLinkId: 'asterisk-1', state: LinkState.LINK_STATE_STANDBY, banner: STANDBY_BANNER });
  });

  it('should refuse a resync as a failed precondition naming the standby, not as an unknown link', async () => {
    await expect(controller.resyncLink({ pbxLinkId: 'asterisk-1' })).rejects.toThrow(PreconditionFailedError);
    await expect(controller.resyncLink({ pbxLinkId: 'asterisk-1' })).rejects.toMatchObject({ code: 'GATEWAY.LINK_STANDBY' });
  });

  it('should still answer not found for a link this gateway does not know', () => {
    expect(() => controller.getLinkStatus({ pbxLinkId: 'asterisk-9' })).toThrow(NotFoundError);
  });
});
