import { existsSync } from 'node:fs';
import * as grpc from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { grpcOptionsFor, grpcServiceName, grpcServiceNames, protoPackage, protoPath, protoLoaderOptions } from './proto-paths';
import { LinkState, PbxProtocol, type GetLinkStatusResponse } from '../generated/switchboard/telephony_gateway/v1/telephony_gateway_service';
import { ROUTING_SERVICE_NAME, SWITCHBOARD_ROUTING_V1_PACKAGE_NAME } from '../generated/switchboard/routing/v1/routing_service';

type ServiceCtor = grpc.ServiceClientConstructor;
const lookup = (root: grpc.GrpcObject, fqName: string) =>
  fqName.split('.').reduce<unknown>((node, part) => (node as grpc.GrpcObject)[part], root) as ServiceCtor;

describe('proto locations', () => {
  it.each(grpcServiceNames)('%s: the proto exists and loads with proto-loader into its package', (service) => {
    expect(existsSync(protoPath(service))).toBe(true);
    const root = grpc.loadPackageDefinition(loadSync(protoPath(service), protoLoaderOptions));
    const ctor = lookup(root, grpcServiceName(service));
    expect(typeof ctor).toBe('function');
    expect(Object.keys(ctor.service).length).toBeGreaterThanOrEqual(2);
    expect(grpcOptionsFor(service).package).toBe(protoPackage(service));
  });

  it('should agree with the ts-proto constants', () => {
    expect(protoPackage('routing')).toBe(SWITCHBOARD_ROUTING_V1_PACKAGE_NAME);
    expect(grpcServiceName('routing')).toBe(`${SWITCHBOARD_ROUTING_V1_PACKAGE_NAME}.${ROUTING_SERVICE_NAME}`);
  });

  it('should round-trip a ts-proto typed message through proto-loader unchanged (option pairing)', () => {
    const root = grpc.loadPackageDefinition(loadSync(protoPath('telephony-gateway'), protoLoaderOptions));
    const method = lookup(root, grpcServiceName('telephony-gateway')).service.GetLinkStatus!;
    const typed: GetLinkStatusResponse = {
      pbxLinkId: 'nc1', protocol: PbxProtocol.PBX_PROTOCOL_ASTERISK_AMI, state: LinkState.LINK_STATE_UP,
      banner: 'Asterisk Call Manager/11.0.0', stateSince: { seconds: '1741915800', nanos: 0 },
      lastFrameAt: { seconds: '1741915812', nanos: 500000000 }, framesReceived: '9007199254740993',
      bufferedEvents: '0', reconnectAttempts: 2,
    };
    const decoded = method.responseDeserialize(method.responseSerialize(typed));
    expect(decoded).toEqual(typed);
  });
});
