import { decodePbxRawFrame } from '@switchboard/contracts';
import { testKafka, uniqueName } from '@switchboard/testing';
import type { GatewayRuntime } from '../../src/gateway-runtime';

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function until(what: string, ok: () => boolean | Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** The lease status of a gateway's first (only) link. */
export const leaseOf = (g: GatewayRuntime) => g.leases.statuses()[0].status;

/** The frame sequence of every raw-archive record of the tenant, once `expected` have been read. */
export async function rawSequences(topic: string, tenant: string, expected: number): Promise<number[]> {
  const consumer = testKafka('gw-ha-raw').consumer({ groupId: uniqueName('gw-ha-raw') });
  const sequences: number[] = [];
  await consumer.connect();
  try {
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({ eachMessage: async ({ message }) => {
      const decoded = decodePbxRawFrame(message.value, message.headers ?? {});
      if (!decoded.ok) throw new Error(`raw-archive record: ${decoded.errors.join('; ')}`);
      if (decoded.frame.tenant === tenant) sequences.push(decoded.frame.sequence);
    } });
    await until(`${expected} raw frames`, () => sequences.length >= expected, 60_000);
    // Anything published twice would follow the originals.
    await sleep(1500);
    return [...sequences];
  } finally {
    await consumer.disconnect();
  }
}
