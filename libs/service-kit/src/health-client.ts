import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath as healthProtoPath } from 'grpc-health-check';

type HealthClient = grpc.Client & {
  check(req: { service: string }, opts: grpc.CallOptions, cb: (e: grpc.ServiceError | null, res?: { status: string }) => void): void;
};

let HealthCtor: (new (address: string, creds: grpc.ChannelCredentials) => HealthClient) | undefined;

function healthClient(address: string): HealthClient {
  if (!HealthCtor) {
    const def = protoLoader.loadSync(healthProtoPath, { keepCase: true, enums: String, defaults: true });
    const pkg = grpc.loadPackageDefinition(def) as unknown as { grpc: { health: { v1: { Health: typeof HealthCtor } } } };
    HealthCtor = pkg.grpc.health.v1.Health;
  }
  return new HealthCtor!(address, grpc.credentials.createInsecure());
}

/** Calls grpc.health.v1.Health/Check; resolves to the serving status or rejects with the gRPC error. */
export function checkHealth(address: string, service = '', timeoutMs = 2000): Promise<string> {
  const client = healthClient(address);
  return new Promise<string>((resolve, reject) => {
    client.check({ service }, { deadline: Date.now() + timeoutMs }, (err, res) => {
      client.close();
      if (err) reject(err);
      else resolve(res!.status);
    });
  });
}
