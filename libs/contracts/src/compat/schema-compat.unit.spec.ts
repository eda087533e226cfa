import { Type, type TSchema } from '@sinclair/typebox';
import { CallAnswered, defineEvent } from '../index';
import { checkCompatibility, type JsonSchema } from './schema-compat';
import { planSnapshots, renderSchema, snapshotPath } from './schema-snapshot';

const json = (s: TSchema) => JSON.parse(JSON.stringify(s)) as JsonSchema;
const published = json(CallAnswered.schema);
const answeredWith = (data: Record<string, TSchema>) => defineEvent({ ...CallAnswered, data: Type.Object(data) });
const d = CallAnswered.data.properties;
const rules = (candidate: TSchema) => checkCompatibility(published, json(candidate)).map((i) => `${i.path} ${i.rule}`);

describe('schema compatibility checker', () => {
  it('should accept the identical schema', () => {
    expect(checkCompatibility(published, published)).toEqual([]);
  });

  it('should accept additive changes: a new optional field, a new enum value, a wider bound', () => {
    const base = Type.Object({ kind: Type.Union([Type.Literal('a'), Type.Literal('b')]), n: Type.Integer({ minimum: 1 }) });
    const wider = Type.Object({
      kind: Type.Union([Type.Literal('a'), Type.Literal('b'), Type.Literal('c')]),
      n: Type.Number({ minimum: 0 }),
      note: Type.Optional(Type.String()),
    });
    expect(checkCompatibility(json(base), json(wider))).toEqual([]);
  });

  it('should fail when a required field is removed', () => {
    const { ringCount: _removed, ...rest } = d;
    expect(rules(answeredWith(rest).schema)).toEqual(['data.ringCount required-removed']);
  });

  it('should fail when a field is renamed (removed + new required)', () => {
    const { waitSeconds, ...rest } = d;
    expect(rules(answeredWith({ ...rest, waitSecs: waitSeconds }).schema)).toEqual([
      'data.waitSeconds required-removed',
      'data.waitSecs became-required',
    ]);
  });

  it('should fail when a type changes', () => {
    expect(rules(answeredWith({ ...d, waitSeconds: Type.String() }).schema)).toEqual(['data.waitSeconds type-changed']);
    expect(rules(answeredWith({ ...d, waitSeconds: Type.Integer({ minimum: 0 }) }).schema)).toEqual(['data.waitSeconds type-changed']);
  });

  it('should fail when a field becomes required or a required field is added', () => {
    const before = Type.Object({ a: Type.String(), b: Type.Optional(Type.String()) });
    const after = Type.Object({ a: Type.String(), b: Type.String(), c: Type.Number() });
    expect(checkCompatibility(json(before), json(after)).map((i) => `${i.path} ${i.rule}`)).toEqual(['b became-required', 'c became-required']);
  });

  it('should fail when an enum (union of literals) value is removed', () => {
    const before = Type.Object({ by: Type.Union([Type.Literal('caller'), Type.Literal('agent'), Type.Literal('system')]) });
    const after = Type.Object({ by: Type.Union([Type.Literal('caller'), Type.Literal('agent')]) });
    expect(checkCompatibility(json(before), json(after))).toEqual([
      { path: 'by', rule: 'enum-value-removed', message: 'value "system" no longer allowed' },
    ]);
  });

  it('should fail when the event type literal changes or a constraint narrows', () => {
    const renamed = defineEvent({ ...CallAnswered, type: 'switchboard.telephony.call.picked-up.v1' });
    expect(rules(renamed.schema)).toEqual(['type enum-value-removed']);
    expect(rules(answeredWith({ ...d, ringCount: Type.Integer({ minimum: 1 }) }).schema)).toEqual(['data.ringCount constraint-narrowed']);
  });

  it('should fail when a published variant of a discriminated union disappears', () => {
    const v = (status: string) => Type.Object({ status: Type.Literal(status) });
    const before = Type.Object({ s: Type.Union([v('ready'), v('on-call')]) });
    const after = Type.Object({ s: Type.Union([v('ready')]) });
    expect(checkCompatibility(json(before), json(after)).map((i) => i.rule)).toEqual(['variant-removed']);
    expect(checkCompatibility(json(after), json(before))).toEqual([]);
  });
});

describe('schema snapshot planning', () => {
  const files = new Map<string, string>([[snapshotPath(CallAnswered.type), renderSchema(CallAnswered.schema)]]);
  const read = (p: string) => files.get(p);

  it('should write a snapshot for a new event type and nothing for an unchanged one', () => {
    const fresh = defineEvent({ ...CallAnswered, type: 'switchboard.telephony.call.parked.v1' });
    const plan = planSnapshots(read, [CallAnswered, fresh] as never);
    expect([...plan.writes.keys()]).toEqual(['schemas/v1/switchboard.telephony.call.parked.v1.schema.json']);
    expect(plan.refused).toEqual([]);
  });

  it('should never overwrite a published schema with an incompatible one', () => {
    const { ringCount: _gone, ...rest } = d;
    const plan = planSnapshots(read, [answeredWith(rest)] as never);
    expect(plan.writes.size).toBe(0);
    expect(plan.refused[0]).toContain('data.ringCount: required-removed');
  });

  it('should update a published schema on an additive change', () => {
    const plan = planSnapshots(read, [answeredWith({ ...d, trunk: Type.Optional(Type.String()) })] as never);
    expect([...plan.writes.keys()]).toEqual([snapshotPath(CallAnswered.type)]);
  });
});
