import { Context, context, propagation, ROOT_CONTEXT, TextMapGetter } from '@opentelemetry/api';

/** Kafka-style message headers (kafkajs `IHeaders` has this shape); no client library needed to use them. */
export type MessageHeaders = Record<string, Buffer | string | (Buffer | string)[] | undefined>;

const asText = (v: Buffer | string | (Buffer | string)[] | undefined): string | undefined => {
  const first = Array.isArray(v) ? v[0] : v;
  return first === undefined ? undefined : first.toString();
};

// Brokers and bridges may change header case; W3C asks for lower-case names, so fall back to a case-blind match.
const getter: TextMapGetter<MessageHeaders> = {
  keys: (headers) => Object.keys(headers),
  get: (headers, key) => asText(key in headers ? headers[key] : headers[Object.keys(headers).find((k) => k.toLowerCase() === key) ?? '']),
};

/**
 * Writes the trace context (W3C `traceparent`, `tracestate`, `baggage`) of `from` (default: the active context)
 * into the headers, as strings, and returns the same object.
 */
export function injectTraceHeaders<H extends MessageHeaders>(headers: H, from: Context = context.active()): H {
  propagation.inject(from, headers, { set: (carrier, key, value) => { (carrier as MessageHeaders)[key] = value; } });
  return headers;
}

/**
 * The producer's context from consumed headers (Buffer values are fine), to parent the consumer span on:
 * `withSpan('process <topic>', SpanKind.CONSUMER, attrs, fn, extractTraceContext(message.headers))`. Without
 * trace headers it returns `base`, so the consumer span starts a new trace.
 */
export function extractTraceContext(headers: MessageHeaders | undefined, base: Context = ROOT_CONTEXT): Context {
  return headers === undefined ? base : propagation.extract(base, headers, getter);
}
