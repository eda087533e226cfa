import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TSchema } from '@sinclair/typebox';
import { allEvents, allTopics, Events, eventDefinition, isKnownEventType, topicOf, Topics, TYPE_PATTERN } from '../index';

/** Every object schema below `schema`, with its JSON path. */
function objectsIn(schema: TSchema, path = ''): { path: string; schema: TSchema }[] {
  const here = schema.type === 'object' ? [{ path, schema }] : [];
  const props = Object.entries((schema.properties ?? {}) as Record<string, TSchema>).flatMap(([k, s]) => objectsIn(s, `${path}.${k}`));
  const items = schema.items ? objectsIn(schema.items as TSchema, `${path}[]`) : [];
  const variants = ((schema.anyOf ?? []) as TSchema[]).flatMap((s, i) => objectsIn(s, `${path}|${i}`));
  return [...here, ...props, ...items, ...variants];
}

describe('event catalog v1', () => {
  it.each(allEvents.map((e) => [e.type, e] as const))('%s follows switchboard.<context>.<aggregate>.<event>.v1', (type, e) => {
    expect(type).toMatch(new RegExp(TYPE_PATTERN));
    expect(type.endsWith('.v1')).toBe(true);
    expect(e.name).toMatch(/^[A-Z][A-Za-z]+$/);
    expect(e.description.length).toBeGreaterThan(10);
  });

  it('should have unique types and unique names', () => {
    expect(new Set(allEvents.map((e) => e.type)).size).toBe(allEvents.length);
    expect(new Set(allEvents.map((e) => e.name)).size).toBe(allEvents.length);
  });

  // Variants are separate events or unions. The one exception is additive evolution of a published event: a field
  // added later is optional, is absent from the event's frozen fixture, and says how an absent value is read.
  it('should have optional fields only where a published event gained a field, each saying how its absence reads', () => {
    const fixtureData = (type: string): Record<string, unknown> =>
      JSON.parse(readFileSync(join(__dirname, '../../fixtures/v1', `${type}.json`), 'utf8')).data;
    const unexplained = allEvents.flatMap((e) =>
      objectsIn(e.data).flatMap(({ path, schema }) => {
        const required = new Set((schema.required ?? []) as string[]);
        const props = (schema.properties ?? {}) as Record<string, TSchema>;
        return Object.keys(props).filter((k) => !required.has(k))
          .filter((k) => path !== '' || k in fixtureData(e.type) || !/absent .*read as/.test(String(props[k]!.description)))
          .map((k) => `${e.type} data${path}.${k}`);
      }),
    );
    expect(unexplained).toEqual([]);
  });

  it('should never carry a clear caller number: caller identity is callerHash + callerMasked only', () => {
    const fieldNames = allEvents.flatMap((e) => objectsIn(e.data).flatMap(({ schema }) => Object.keys(schema.properties ?? {})));
    const suspicious = fieldNames.filter((k) => /caller(Id|Num|Number|Phone|Ani)|^ani$|phone/i.test(k));
    expect(suspicious).toEqual([]);
  });

  it('should expose every definition by name in the Events catalog', () => {
    expect(Object.keys(Events)).toEqual(allEvents.map((e) => e.name));
    expect(Events.CallAnswered.type).toBe('switchboard.telephony.call.answered.v1');
  });

  it('should look up definitions by type and reject unknown types', () => {
    expect(eventDefinition('switchboard.telephony.call.answered.v1')?.name).toBe('CallAnswered');
    expect(eventDefinition('switchboard.telephony.call.answered.v9')).toBeUndefined();
    expect(isKnownEventType('switchboard.routing.assignment.made.v1')).toBe(true);
  });
});

describe('topic registry', () => {
  it('should put every event type on exactly one topic whose <context>.<aggregate> and version match', () => {
    for (const e of allEvents) {
      const carriers = allTopics.filter((t) => t.events.includes(e));
      expect(carriers.map((t) => t.name)).toEqual([topicOf(e.type).name]);
      const [, context, aggregate, , version] = e.type.split('.');
      expect(topicOf(e.type).name).toBe(`${context}.${aggregate}.events.${version}`);
    }
  });

  it('should name topics <context>.<aggregate>.events.v<N> (plus the raw archive) with DLQ <topic>.dlq', () => {
    for (const t of allTopics) {
      expect(t.name).toMatch(/^[a-z]+\.[a-z-]+\.(events|pbx-raw)\.v\d+$|^[a-z]+\.pbx-raw\.v\d+$/);
      expect(t.dlq).toBe(`${t.name}.dlq`);
      expect(t.partitions).toBeGreaterThanOrEqual(1);
    }
    // Spelled as segments: a topic literal outside topics.ts would (rightly) fail the topic-literals test.
    expect(Topics.telephonyCall.name.split('.')).toEqual(['telephony', 'call', 'events', 'v1']);
    expect(Topics.telephonyPbxRaw.name.split('.')).toEqual(['telephony', 'pbx-raw', 'v2']);
  });

  it('should keep event topics forever and never compact them (projections rebuild from offset 0)', () => {
    for (const t of allTopics.filter((t) => t.format === 'cloudevents-structured')) {
      expect(t.config).toEqual({ 'cleanup.policy': 'delete', 'retention.ms': -1 });
    }
    expect(Topics.telephonyPbxRaw.config['retention.ms']).toBeGreaterThanOrEqual(365 * 24 * 3600 * 1000);
  });

  it('should throw for an event type carried by no topic', () => {
    expect(() => topicOf('switchboard.nowhere.thing.happened.v1')).toThrow('No topic carries');
  });
});
