/** The platform's services as the local launcher runs them: ports are defaults, overridable per service. */
export interface ServiceSpec {
  name: string;
  grpcPort: number;
  metricsPort: number;
  database: string;
}

const names = ['telephony-gateway', 'routing', 'qa', 'hr', 'training', 'reporting'] as const;

export const platformServices: ServiceSpec[] = names.map((name, i) => ({
  name,
  grpcPort: 50051 + i,
  metricsPort: 9461 + i,
  database: `switchboard_${name.replace(/-/g, '_')}`,
}));
