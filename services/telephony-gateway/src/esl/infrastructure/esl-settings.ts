import type { EnvReader } from '@switchboard/config';

/** One FreeSWITCH event-socket link (mod_callcenter). The password comes from the environment, never from the repo. */
export interface EslLinkConfig {
  readonly pbxLinkId: string;
  readonly host: string;
  readonly port: number;
  readonly password: string;
  readonly keepaliveMs: number;
  readonly ringCycleMs: number;
  readonly defaultDialedNumber: string;
  /** Dial-plan context of the agents' extensions: routing's assignments `uuid_transfer` callers there. Default `default`. */
  readonly redirectContext?: string;
}

/** Enabled when `ESL_HOST` is set. */
export function eslLinkSettings(env: EnvReader): EslLinkConfig | null {
  const host = env.get('ESL_HOST').asString();
  if (host === undefined) return null;
  return {
    pbxLinkId: env.get('ESL_PBX_LINK_ID').default('freeswitch-1').asString(),
    host,
    port: env.get('ESL_PORT').default('8021').asPortNumber(),
    password: env.get('ESL_PASSWORD').required().asString(),
    keepaliveMs: env.get('ESL_KEEPALIVE_SECONDS').default('15').asIntPositive() * 1000,
    ringCycleMs: env.get('RING_CYCLE_SECONDS').default('6').asFloatPositive() * 1000,
    defaultDialedNumber: env.get('DEFAULT_DIALED_NUMBER').default('0').asString(),
    redirectContext: env.get('ESL_TRANSFER_CONTEXT').default('default').asString(),
  };
}
