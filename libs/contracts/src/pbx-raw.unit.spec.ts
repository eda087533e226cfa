import { decodePbxRawFrame, encodePbxRawFrame, PBX_FRAME_TYPE, type PbxRawFrame } from './pbx-raw';

const frame: PbxRawFrame = {
  id: '0190f3a2-5b00-7000-8a4e-000000000001', tenant: 'acme', site: 'nanchang', pbxLinkId: 'nc1', protocol: 'asterisk-ami',
  receivedAt: '2025-03-14T01:30:00.123Z', sequence: 981,
  payload: Buffer.from('Event: QueueCallerJoin\r\nQueue: billing\r\nPosition: 3\r\n\r\n'),
};

describe('raw PBX frame archive (CloudEvents binary mode)', () => {
  it('should keep the bytes untouched and carry the attributes in ce_* headers keyed by link', () => {
    const record = encodePbxRawFrame(frame);
    expect(record.key).toBe('nc1');
    expect(record.value.equals(frame.payload)).toBe(true);
    expect(record.headers).toMatchObject({ ce_type: PBX_FRAME_TYPE, ce_id: frame.id, ce_sequence: '981', ce_source: '/switchboard/telephony-gateway/nanchang' });
  });

  it('should round-trip through Buffer headers as kafkajs delivers them', () => {
    const record = encodePbxRawFrame(frame);
    const asDelivered = Object.fromEntries(Object.entries(record.headers).map(([k, v]) => [k, Buffer.from(v)]));
    expect(decodePbxRawFrame(record.value, asDelivered)).toEqual({ ok: true, frame });
  });

  it('should name each bad header', () => {
    const headers = { ...encodePbxRawFrame(frame).headers, ce_sequence: '0', ce_pbxprotocol: 'sip' };
    expect(decodePbxRawFrame(null, headers)).toEqual({
      ok: false,
      errors: ['ce_sequence: expected positive integer', 'ce_pbxprotocol: expected asterisk-ami|freeswitch-esl|webhook', 'value: expected raw frame bytes'],
    });
  });
});
