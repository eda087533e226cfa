import { systemEnvelopeDeps } from '@switchboard/contracts';
import { parseWebhookEvent, queueVisitOf } from './domain/webhook-event';

const scope = { tenant: 't1', site: 'hq', service: 'telephony-gateway' };
const queued = (data: Record<string, unknown> = {}) => ({
  id: systemEnvelopeDeps.newId(), type: 'switchboard.telephony.call.queued.v1', subject: 'cti:42', time: '2025-03-03T08:00:01.000Z',
  data: { callId: 'cti:42', queueId: 'sales', skillId: 'sales', position: 1, queueLength: 3, ...data },
});

describe('webhook event validation', () => {
  it('should accept a canonical call event and keep the client id', () => {
    const body = queued();
    const result = parseWebhookEvent(body, scope);
    expect(result).toMatchObject({ event: { id: body.id, subject: 'cti:42', definition: { name: 'CallQueued' } } });
  });

  it('should accept a caller tier (RT-11) and answer a tier outside the pattern with its field error', () => {
    expect(parseWebhookEvent(queued({ callerTier: 'vip' }), scope)).toMatchObject({ event: { data: { callerTier: 'vip' } } });
    const bad = parseWebhookEvent(queued({ callerTier: 'Very Important' }), scope);
    expect('errors' in bad && bad.errors.map((e) => e.path)).toEqual(['data.callerTier']);
  });

  it('should name every bad field of the data with its path', () => {
    const result = parseWebhookEvent(queued({ position: 0, queueLength: 'three' }), scope);
    expect('errors' in result && result.errors.map((e) => e.path).sort()).toEqual(['data.position', 'data.queueLength']);
  });

  it('should reject missing envelope fields, a non-UUIDv7 id, a bad time and an unknown type', () => {
    expect(parseWebhookEvent([], scope)).toEqual({ errors: [{ path: '(root)', message: expect.any(String) }] });
    expect(parseWebhookEvent({ type: 'x' }, scope)).toMatchObject({ errors: [{ path: 'id' }, { path: 'subject' }, { path: 'time' }, { path: 'data' }] });
    const bad = parseWebhookEvent({ ...queued(), id: 'abc', time: 'yesterday' }, scope);
    expect('errors' in bad && bad.errors.map((e) => e.path)).toEqual(['id', 'time']);
    expect(parseWebhookEvent({ ...queued(), type: 'switchboard.telephony.pbx.link-up.v1' }, scope)).toMatchObject({ errors: [{ path: 'type' }] });
  });

  it('should require the subject to be the call id (the Kafka key) and reject unknown data fields', () => {
    expect(parseWebhookEvent({ ...queued(), subject: 'other' }, scope)).toEqual({ errors: [{ path: 'subject', message: 'must equal data.callId' }] });
    const extra = parseWebhookEvent(queued({ secretNumber: '13812345678' }), scope);
    expect(extra).toEqual({ errors: [{ path: 'data.secretNumber', message: 'unknown field' }] });
  });
});

describe('queue visits of posted events', () => {
  const accepted = (type: string, data: Record<string, unknown>) => {
    const r = parseWebhookEvent({ id: systemEnvelopeDeps.newId(), type: `switchboard.telephony.call.${type}.v1`, subject: 'cti:42', time: '2025-03-03T08:00:01.000Z', data: { callId: 'cti:42', ...data } }, scope);
    if (!('event' in r)) throw new Error(JSON.stringify(r.errors));
    return r.event;
  };
  const answered = (extra: Record<string, unknown> = {}) => accepted('answered', { queueId: 'sales', agentId: 'a1', extension: '1001', waitSeconds: 3, ringCount: 1, ringDurationMs: 2000, ...extra });

  it('a CTI call re-queued after a transfer: the second CallQueued starts visit 2 and the answer belongs to it', () => {
    const first = queueVisitOf(accepted('queued', { queueId: 'sales', skillId: 'sales', position: 1, queueLength: 1 }), 0);
    expect([first.data.queueVisit, first.visits]).toEqual([1, 1]);
    const second = queueVisitOf(accepted('queued', { queueId: 'sales', skillId: 'sales', position: 1, queueLength: 1 }), first.visits);
    expect([second.data.queueVisit, second.visits]).toEqual([2, 2]);
    expect(queueVisitOf(answered(), second.visits)).toEqual({ data: expect.objectContaining({ queueVisit: 2 }), visits: 2 });
  });

  it('a queueVisit the CTI sends is kept, and an event before any CallQueued belongs to visit 1', () => {
    expect(queueVisitOf(answered({ queueVisit: 3 }), 1)).toEqual({ data: expect.objectContaining({ queueVisit: 3 }), visits: 3 });
    expect(queueVisitOf(answered(), 0).data.queueVisit).toBe(1);
  });
});
