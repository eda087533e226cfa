import type { TSchema } from '@sinclair/typebox';
import { allTopics, DlqHeaders, Topics, type TopicDefinition } from '../topics';
import { PBX_FRAME_CONTENT_TYPES, PBX_FRAME_TYPE, PBX_RAW_STRUCTURED_CONTENT_TYPE } from '../pbx-raw';
import { STRUCTURED_CONTENT_TYPE } from '../envelope/envelope.schema';

/**
 * The AsyncAPI 3.0 document, generated from the topic registry and the catalog (never edited by hand).
 * Written by `node -r @swc-node/register libs/contracts/scripts/generate-asyncapi.ts`; a unit test fails on drift.
 */
export const ASYNCAPI_FILE = 'asyncapi.json';
const KAFKA_BINDING = '0.5.0';

type Json = Record<string, unknown>;
/** Plain JSON (drops TypeBox's symbol keys). */
const plain = (schema: TSchema): Json => JSON.parse(JSON.stringify(schema)) as Json;
const ref = (path: string) => ({ $ref: path });
const stringHeaders = (names: Record<string, string>, description: string): Json => ({
  type: 'object',
  description,
  properties: Object.fromEntries(Object.values(names).map((h) => [h, { type: 'string' }])),
});

function channelBinding(name: string, partitions: number, config: TopicDefinition['config']): Json {
  return {
    kafka: {
      topic: name,
      partitions,
      topicConfiguration: { 'cleanup.policy': [config['cleanup.policy']], 'retention.ms': config['retention.ms'] },
      bindingVersion: KAFKA_BINDING,
    },
  };
}

function messagesOf(topic: TopicDefinition): Record<string, Json> {
  if (topic.format === 'cloudevents-structured-raw') return { PbxFrameReceived: ref('#/components/messages/PbxFrameReceived') };
  return Object.fromEntries(topic.events.map((e) => [e.name, ref(`#/components/messages/${e.name}`)]));
}

function eventMessages(): Record<string, Json> {
  return Object.fromEntries(
    allTopics.flatMap((topic) =>
      topic.events.map((e) => [
        e.name,
        {
          name: e.type,
          title: e.name,
          summary: e.description,
          contentType: STRUCTURED_CONTENT_TYPE,
          payload: plain(e.schema),
          bindings: { kafka: { key: { type: 'string', description: e.subject }, bindingVersion: KAFKA_BINDING } },
        },
      ]),
    ),
  );
}

const rawFrameMessage: Json = {
  name: PBX_FRAME_TYPE,
  title: 'PbxFrameReceived',
  summary: 'One frame exactly as received from a PBX/CTI link (CloudEvents structured mode; the bytes in data_base64).',
  contentType: PBX_RAW_STRUCTURED_CONTENT_TYPE,
  payload: {
    type: 'object',
    required: ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'tenant', 'site', 'sequence', 'pbxprotocol', 'data_base64'],
    properties: {
      specversion: { const: '1.0' },
      id: { type: 'string', description: 'UUIDv7 of the frame; the causationid of every canonical event derived from it' },
      source: { type: 'string' },
      type: { const: PBX_FRAME_TYPE },
      subject: { type: 'string', description: 'PBX link id' },
      time: { type: 'string', format: 'date-time', description: 'When the gateway received the frame' },
      datacontenttype: { enum: [...new Set(Object.values(PBX_FRAME_CONTENT_TYPES))], description: 'The PBX protocol of the frame' },
      tenant: { type: 'string' },
      site: { type: 'string' },
      sequence: { type: 'integer', minimum: 1, description: 'Per-link frame counter; a gap reveals a lost frame' },
      pbxprotocol: { enum: Object.keys(PBX_FRAME_CONTENT_TYPES) },
      data_base64: { type: 'string', contentEncoding: 'base64', description: 'The frame, byte for byte' },
    },
  },
  bindings: { kafka: { key: { type: 'string', description: 'PBX link id' }, bindingVersion: KAFKA_BINDING } },
};

const deadLetterMessage: Json = {
  name: 'dead-letter',
  title: 'DeadLetter',
  summary: 'The original record (key, value and headers unchanged) plus the reason it could not be processed.',
  headers: stringHeaders(DlqHeaders, 'dlq-reason is one of invalid-json, invalid-envelope, invalid-data, handler-error'),
  payload: { description: 'The original record value, byte for byte (it may be invalid)' },
};

export function buildAsyncApi(): Json {
  const entries = Object.entries(Topics);
  const channels: Json = {};
  const operations: Json = {};
  for (const [key, topic] of entries) {
    channels[key] = {
      address: topic.name,
      description: `${topic.description} Key: ${topic.key}.`,
      messages: messagesOf(topic),
      bindings: channelBinding(topic.name, topic.partitions, topic.config),
    };
    channels[`${key}Dlq`] = {
      address: topic.dlq,
      description: `Dead letters of ${topic.name}.`,
      messages: { DeadLetter: ref('#/components/messages/DeadLetter') },
      bindings: channelBinding(topic.dlq, 1, { 'cleanup.policy': 'delete', 'retention.ms': 30 * 24 * 3600 * 1000 }),
    };
    operations[`publish${key[0]!.toUpperCase()}${key.slice(1)}`] = {
      action: 'send',
      summary: `Switchboard publishes to ${topic.name}; integrators subscribe.`,
      channel: ref(`#/channels/${key}`),
      messages: Object.keys(messagesOf(topic)).map((m) => ref(`#/channels/${key}/messages/${m}`)),
    };
  }
  return {
    asyncapi: '3.0.0',
    info: {
      title: 'Switchboard integration events',
      version: '1.0.0',
      description:
        'Public Kafka topics of Switchboard. Values are CloudEvents 1.0 in structured JSON mode; the key is the ' +
        'aggregate id (= subject). Within a topic version changes are additive only; consumers must ignore unknown ' +
        'fields and unknown event types. W3C trace context travels in the traceparent/tracestate headers.',
      license: { name: 'Apache-2.0', url: 'https://www.apache.org/licenses/LICENSE-2.0' },
    },
    defaultContentType: STRUCTURED_CONTENT_TYPE,
    servers: {
      local: { host: 'localhost:9092', protocol: 'kafka', description: 'The single-node broker started by npm start' },
    },
    channels,
    operations,
    components: { messages: { ...eventMessages(), PbxFrameReceived: rawFrameMessage, DeadLetter: deadLetterMessage } },
  };
}

export const renderAsyncApi = (): string => `${JSON.stringify(buildAsyncApi(), null, 2)}\n`;
