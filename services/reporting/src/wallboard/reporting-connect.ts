// ReportingService over Connect: the same controller instance logic the gRPC server runs, with the roles read from
// its own @Roles declarations, and messages converted to proto3 JSON (Timestamp as RFC 3339, int64 as string).
import 'reflect-metadata';
import type { Role } from '@switchboard/service-kit';
import { ROLES_KEY } from '@switchboard/service-kit';
import { map } from 'rxjs';
import type { RealtimeSnapshot } from '@switchboard/contracts/src/generated/switchboard/reporting/v1/reporting_service';
import { ReportingGrpcController, type ReportingDeps } from '../grpc/reporting.grpc-controller';
import { orEmptyWhileBuilding } from '../reports/infrastructure/read-model';
import { ConnectError, timestampFromJson, timestampToJson } from './connect-protocol';
import type { ConnectMethod } from './connect-router';

export const REPORTING_SERVICE_PATH = '/switchboard.reporting.v1.ReportingService';

type Json = Record<string, unknown>;

export const rolesOf = (method: keyof ReportingGrpcController): readonly Role[] | undefined =>
  Reflect.getMetadata(ROLES_KEY, ReportingGrpcController.prototype[method]) as Role[] | undefined;

const asObject = (v: unknown): Json => {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new ConnectError('invalid_argument', 'the request must be a JSON object');
  return v as Json;
};

function stringList(v: unknown, field: string): string[] {
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) throw new ConnectError('invalid_argument', `${field} must be a list of strings`);
  return v;
}

export const snapshotToJson = (s: RealtimeSnapshot | undefined) =>
  s === undefined ? undefined : { ...s, asOf: timestampToJson(s.asOf) };

/** The ReportingService methods the wallboard needs, keyed by Connect path. */
export function reportingConnectRoutes(deps: ReportingDeps): [string, ConnectMethod][] {
  const controller = new ReportingGrpcController(deps);
  return [
    [`${REPORTING_SERVICE_PATH}/GetRealtimeSnapshot`, {
      kind: 'unary', roles: rolesOf('getRealtimeSnapshot'),
      call: async (req, me) => {
        const res = await controller.realtimeSnapshotFor(me.tenant, { queueIds: stringList(asObject(req).queueIds, 'queueIds') });
        return { snapshot: snapshotToJson(res.snapshot) };
      },
    }],
    [`${REPORTING_SERVICE_PATH}/WatchRealtime`, {
      kind: 'server-stream', roles: rolesOf('watchRealtime'),
      call: (req, me) => controller.watchRealtimeFor(me.tenant, { queueIds: stringList(asObject(req).queueIds, 'queueIds') })
        .pipe(map((m) => ({ snapshot: snapshotToJson(m.snapshot) }))),
    }],
    // The wallboard's chart: the caller's tenant only (as its tiles), and no rows while the call facts are first built.
    [`${REPORTING_SERVICE_PATH}/GetIntervalReport`, {
      kind: 'unary', roles: rolesOf('getIntervalReport'),
      call: async (req, me) => {
        const r = asObject(req);
        const range = r.range === undefined ? undefined : asObject(r.range);
        const intervalSeconds = r.intervalSeconds ?? 0;
        if (typeof intervalSeconds !== 'number') throw new ConnectError('invalid_argument', 'intervalSeconds must be a number');
        const res = await orEmptyWhileBuilding(() => controller.intervalReportFor(me.tenant, {
          queueIds: stringList(r.queueIds, 'queueIds'), intervalSeconds,
          range: range && { start: timestampFromJson(range.start, 'range.start'), end: timestampFromJson(range.end, 'range.end') },
        }), { rows: [] });
        return { rows: res.rows.map((row) => ({ ...row, intervalStart: timestampToJson(row.intervalStart) })) };
      },
    }],
    [`${REPORTING_SERVICE_PATH}/ListKpiDefinitions`, {
      kind: 'unary', roles: rolesOf('listKpiDefinitions'),
      call: async () => controller.listKpiDefinitions(),
    }],
  ];
}
