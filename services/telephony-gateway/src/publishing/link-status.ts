import type { LinkPipeline } from './link-pipeline';

/** What GetLinkStatus reports for one PBX link, whatever its protocol. */
export interface LinkStatus<P extends 'asterisk-ami' | 'freeswitch-esl' = 'asterisk-ami' | 'freeswitch-esl'> {
  readonly pbxLinkId: string;
  readonly protocol: P;
  readonly endpoint: string;
  readonly state: string;
  readonly banner: string;
  readonly lastError: string;
  readonly framesCommitted: number;
  readonly canonicalCommitted: number;
  readonly parseErrors: number;
  readonly backlog: number;
  readonly reconnectAttempts: number;
}

interface StatusSources {
  readonly config: { readonly pbxLinkId: string; readonly host: string; readonly port: number };
  readonly connection: { readonly state: string; readonly banner: string; readonly lastError: string; readonly reconnectAttempts: number };
  readonly pipeline: LinkPipeline;
}

export function linkStatusOf<P extends 'asterisk-ami' | 'freeswitch-esl'>(protocol: P, { config, connection, pipeline: p }: StatusSources): LinkStatus<P> {
  return {
    pbxLinkId: config.pbxLinkId, protocol, endpoint: `${config.host}:${config.port}`, state: connection.state,
    banner: connection.banner, lastError: connection.lastError, framesCommitted: p.framesCommitted, canonicalCommitted: p.canonicalCommitted,
    parseErrors: p.parseErrors, backlog: p.backlog, reconnectAttempts: connection.reconnectAttempts,
  };
}
