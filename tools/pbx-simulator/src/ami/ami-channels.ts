/** Asterisk-style channel bookkeeping: names, unique ids, state and the channel snapshot header block. */

export const CHANNEL_STATE_DESC: Readonly<Record<number, string>> = {
  0: 'Down', 1: 'Rsrvd', 2: 'OffHook', 3: 'Dialing', 4: 'Ring', 5: 'Ringing', 6: 'Up', 7: 'Busy',
};

export interface AmiChannel {
  readonly name: string;
  readonly uniqueid: string;
  readonly linkedid: string;
  readonly createdAtMs: number;
  readonly context: string;
  readonly exten: string;
  state: number;
  callerNum: string;
  callerName: string;
  connectedNum: string;
  connectedName: string;
  application: string;
  applicationData: string;
  bridgeId: string;
  readonly variables: ReadonlyArray<readonly [string, string]>;
  /** Rendered snapshot per prefix; cleared on every change. Rendering dominates the cost of an event. */
  cache: Map<string, string>;
}

export const UNKNOWN = '<unknown>';

export class ChannelFactory {
  private sequence = 0;

  create(
    technologyAndPeer: string,
    atMs: number,
    linkedid: string | null,
    init: Pick<AmiChannel, 'context' | 'exten' | 'state' | 'callerNum' | 'callerName' | 'application' | 'applicationData' | 'variables'>,
  ): AmiChannel {
    const seq = ++this.sequence;
    const uniqueid = `${Math.floor(atMs / 1000)}.${seq}`;
    return {
      name: `${technologyAndPeer}-${seq.toString(16).padStart(8, '0')}`,
      uniqueid,
      linkedid: linkedid ?? uniqueid,
      createdAtMs: atMs,
      connectedNum: UNKNOWN,
      connectedName: UNKNOWN,
      bridgeId: '',
      cache: new Map(),
      ...init,
    };
  }
}

export function touch(channel: AmiChannel): void {
  channel.cache.clear();
}

/** The snapshot block of manager_channels.c, optionally prefixed (`Dest`, `Transferer`, …). Ends with CRLF. */
export function channelSnapshot(channel: AmiChannel, prefix = ''): string {
  const cached = channel.cache.get(prefix);
  if (cached !== undefined) return cached;
  const p = prefix;
  let out =
    `${p}Channel: ${channel.name}\r\n` +
    `${p}ChannelState: ${channel.state}\r\n` +
    `${p}ChannelStateDesc: ${CHANNEL_STATE_DESC[channel.state] ?? 'Unknown'}\r\n` +
    `${p}CallerIDNum: ${channel.callerNum}\r\n` +
    `${p}CallerIDName: ${channel.callerName}\r\n` +
    `${p}ConnectedLineNum: ${channel.connectedNum}\r\n` +
    `${p}ConnectedLineName: ${channel.connectedName}\r\n` +
    `${p}Language: en\r\n` +
    `${p}AccountCode: \r\n` +
    `${p}Context: ${channel.context}\r\n` +
    `${p}Exten: ${channel.exten}\r\n` +
    `${p}Priority: 1\r\n` +
    `${p}Uniqueid: ${channel.uniqueid}\r\n` +
    `${p}Linkedid: ${channel.linkedid}\r\n`;
  for (const [name, value] of channel.variables) out += `${p}ChanVariable: ${name}=${value}\r\n`;
  channel.cache.set(prefix, out);
  return out;
}

export function formatDuration(ms: number): string {
  const total = Math.max(0, Math.floor(ms / 1000));
  const pad = (n: number): string => String(n).padStart(2, '0');
  return `${pad(Math.floor(total / 3600))}:${pad(Math.floor((total % 3600) / 60))}:${pad(total % 60)}`;
}

/** Asterisk stamps events with gettimeofday: epoch seconds with 6 decimals. */
export function amiTimestamp(atMs: number): string {
  return (atMs / 1000).toFixed(6);
}

/** app_queue computes durations as differences of integer time(), hence the occasional off-by-one second. */
export function wholeSecondsBetween(fromMs: number, toMs: number): number {
  return Math.floor(toMs / 1000) - Math.floor(fromMs / 1000);
}
