import { createEnvelope, CallOffered, CallQueued } from '@switchboard/contracts';
import { AmiFrameParser } from '../ami/domain/ami-frame-parser';
import { channelVariableOf } from '../ami/domain/ami-frame';
import { translateAmiEvent } from '../ami/domain/ami-vendor-events';
import { EslCallCenterTranslator } from '../esl/domain/esl-callcenter-translator';
import { CallCenterTracker } from './domain/call-center.tracker';
import { maskCallerNumber, type Decided, type DecisionContext } from './domain/canonical';
import { readCallerTier } from './domain/caller-tier';

const T0 = Date.UTC(2025, 2, 3, 8, 0, 0);
const ctx: DecisionContext = {
  pbxLinkId: 'pbx1', ringCycleMs: 5000, defaultDialedNumber: '4008001234',
  identifyCaller: (n) => ({ hash: (n === null ? 'a' : 'b').repeat(64), masked: maskCallerNumber(n) }),
};
const caller = (variables: string) =>
  `Channel: PJSIP/trunk-1\r\nCallerIDNum: 13812345678\r\nExten: s\r\nUniqueid: 100.1\r\nLinkedid: 100.1\r\n${variables}`;
const joinWith = (variables: string, queue = 'support') =>
  `Event: QueueCallerJoin\r\nPrivilege: agent,all\r\nTimestamp: ${(T0 / 1000).toFixed(6)}\r\n${caller(variables)}Queue: ${queue}\r\nPosition: 1\r\nCount: 1\r\n\r\n`;

function amiRun(ami: string): Decided[] {
  const tracker = new CallCenterTracker(ctx);
  return new AmiFrameParser(1024 * 1024, false).push(Buffer.from(ami))
    .flatMap((f) => (f.kind === 'frame' ? translateAmiEvent(f, T0) : [])).flatMap((e) => tracker.apply(e));
}
const tierOn = (out: Decided[], name: string) => (out.find((e) => e.definition.name === name)?.data as { callerTier?: string } | undefined)?.callerTier;

describe('Reading SWITCHBOARD_CALLER_TIER', () => {
  it('should accept a tier the contract allows, lower-casing and trimming it', () => {
    expect(readCallerTier('vip')).toEqual({ kind: 'tier', tier: 'vip' });
    expect(readCallerTier(' Gold_2 ')).toEqual({ kind: 'tier', tier: 'gold_2' });
  });

  it('should read an unset or empty variable as no tier', () => {
    expect(readCallerTier(undefined)).toEqual({ kind: 'none' });
    expect(readCallerTier('')).toEqual({ kind: 'none' });
  });

  it('should report a value the contract forbids as invalid, with a bounded sample', () => {
    expect(readCallerTier('very important!')).toEqual({ kind: 'invalid', raw: 'very important!' });
    expect(readCallerTier('-vip')).toEqual({ kind: 'invalid', raw: '-vip' });
    expect(readCallerTier('x'.repeat(33)).kind).toBe('invalid');
    expect((readCallerTier('é'.repeat(200)) as { raw: string }).raw).toHaveLength(64);
  });
});

describe('AMI channel variables (manager.conf channelvars=)', () => {
  const frame = (headers: [string, string][]) => ({ headers });

  it('should read the Asterisk 12+ form ChanVariable: NAME=value', () => {
    expect(channelVariableOf(frame([['ChanVariable', 'SWITCHBOARD_CALL_ID=c-1'], ['ChanVariable', 'SWITCHBOARD_CALLER_TIER=vip']]), 'SWITCHBOARD_CALLER_TIER')).toBe('vip');
  });

  it('should read ChanVariable(NAME): value', () => {
    expect(channelVariableOf(frame([['ChanVariable(SWITCHBOARD_CALLER_TIER)', 'gold']]), 'SWITCHBOARD_CALLER_TIER')).toBe('gold');
  });

  it('should read the Asterisk 1.8/11 form ChanVariable(<channel>): NAME=value', () => {
    expect(channelVariableOf(frame([['ChanVariable(PJSIP/trunk-1)', 'SWITCHBOARD_CALLER_TIER=vip']]), 'SWITCHBOARD_CALLER_TIER')).toBe('vip');
  });

  it('should not take the called leg\'s DestChanVariable for the caller\'s', () => {
    expect(channelVariableOf(frame([['DestChanVariable', 'SWITCHBOARD_CALLER_TIER=vip']]), 'SWITCHBOARD_CALLER_TIER')).toBeUndefined();
  });
});

describe('When a tagged caller joins a queue over AMI', () => {
  it('should carry the tier on CallOffered and CallQueued, valid against the contract', () => {
    const out = amiRun(joinWith('ChanVariable: SWITCHBOARD_CALLER_TIER=vip\r\n'));
    expect(tierOn(out, 'CallOffered')).toBe('vip');
    expect(tierOn(out, 'CallQueued')).toBe('vip');
    for (const e of out) {
      expect(() => createEnvelope(e.definition, {
        service: 'telephony-gateway', tenant: 't', site: 's', subject: e.subject, sequence: e.sequence, data: e.data as never,
        id: '01890a5d-ac96-774b-bcce-b302099a8057', time: new Date(e.at),
      })).not.toThrow();
    }
  });

  it('should keep the tier on the next queue visit of the same caller', () => {
    const out = amiRun(joinWith('ChanVariable(SWITCHBOARD_CALLER_TIER): vip\r\n') + joinWith('ChanVariable(SWITCHBOARD_CALLER_TIER): vip\r\n', 'sales'));
    expect(out.filter((e) => e.definition === CallQueued).map((e) => (e.data as { callerTier?: string }).callerTier)).toEqual(['vip', 'vip']);
  });

  it('should publish the call without a tier when the variable is empty or invalid (not drop it)', () => {
    for (const vars of ['ChanVariable: SWITCHBOARD_CALLER_TIER=\r\n', 'ChanVariable: SWITCHBOARD_CALLER_TIER=V I P\r\n', '']) {
      const out = amiRun(joinWith(vars));
      expect(out.map((e) => e.definition)).toEqual([CallOffered, CallQueued]);
      expect(out.every((e) => !('callerTier' in (e.data as object)))).toBe(true);
    }
  });
});

describe('When a tagged caller joins a mod_callcenter queue', () => {
  const start = (tier: string | undefined) => ({
    headers: [
      ['Event-Subclass', 'callcenter::info'], ['CC-Action', 'member-queue-start'], ['CC-Queue', 'sales@default'], ['CC-Member-UUID', 'm-1'],
      ['CC-Member-Session-UUID', 's-1'], ['CC-Member-CID-Number', '13900001111'], ...(tier === undefined ? [] : [['variable_SWITCHBOARD_CALLER_TIER', tier]]),
    ] as [string, string][],
    body: '',
  });

  it('should read variable_SWITCHBOARD_CALLER_TIER', () => {
    expect(new EslCallCenterTranslator().translate(start('vip'), T0)).toEqual([expect.objectContaining({ type: 'CallerJoinedQueue', callerTier: 'vip' })]);
  });

  it('should leave an invalid or _undef_ tier out', () => {
    for (const tier of ['not a tier', '_undef_', undefined]) {
      const [joined] = new EslCallCenterTranslator().translate(start(tier), T0);
      expect(joined).not.toHaveProperty('callerTier');
    }
  });
});
