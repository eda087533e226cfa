import { decodePbxRawFrame, encodePbxRawFrame, PBX_FRAME_TYPE, PBX_RAW_STRUCTURED_CONTENT_TYPE, type PbxRawFrame } from './pbx-raw';

const frame: PbxRawFrame = {
  id: '0190f3a2-5b00-7000-8a4e-000000000001', tenant: 'acme', site: 'nanchang', pbxLinkId: 'nc1', protocol: 'asterisk-ami',
  receivedAt: '2025-03-14T01:30:00.123Z', sequence: 981,
  payload: Buffer.from('Event: QueueCallerJoin\r\nQueue: billing\r\nPosition: 3\r\n\r\n'),
};
const asDelivered = (headers: Record<string, string>) => Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, Buffer.from(v)]));

describe('raw PBX frame archive v2 (CloudEvents structured mode)', () => {
  it('should be one JSON CloudEvent keyed by link with one header, the frame bytes in data_base64', () => {
    const record = encodePbxRawFrame(frame);
    expect(record.key).toBe('nc1');
    expect(record.headers).toEqual({ 'content-type': PBX_RAW_STRUCTURED_CONTENT_TYPE });
    const event = JSON.parse(record.value.toString());
    expect(event).toEqual({
      specversion: '1.0', id: frame.id, source: '/switchboard/telephony-gateway/nanchang', type: PBX_FRAME_TYPE, subject: 'nc1',
      time: frame.receivedAt, datacontenttype: 'text/x-asterisk-ami; charset=UTF-8', tenant: 'acme', site: 'nanchang',
      sequence: 981, pbxprotocol: 'asterisk-ami', data_base64: frame.payload.toString('base64'),
    });
  });

  it('should write exactly the bytes of JSON.stringify of the CloudEvent, also when the link changes and names need escaping', () => {
    const frames: PbxRawFrame[] = [
      frame,
      { ...frame, id: 'x"y', sequence: 982, receivedAt: '2025-03-14T01:30:00.124Z' },
      { ...frame, tenant: 'ä "quoted" \\ tenant', site: 'shāng\nhǎi', pbxLinkId: 'link/2', protocol: 'freeswitch-esl', payload: Buffer.from([0, 255, 10]) },
      { ...frame, sequence: 983 },
    ];
    for (const f of frames) {
      const expected = {
        specversion: '1.0', id: f.id, source: `/switchboard/telephony-gateway/${f.site}`, type: PBX_FRAME_TYPE, subject: f.pbxLinkId, time: f.receivedAt,
        datacontenttype: f.protocol === 'asterisk-ami' ? 'text/x-asterisk-ami; charset=UTF-8' : JSON.parse(encodePbxRawFrame(f).value.toString()).datacontenttype,
        tenant: f.tenant, site: f.site, sequence: f.sequence, pbxprotocol: f.protocol, data_base64: f.payload.toString('base64'),
      };
      expect(encodePbxRawFrame(f).value.toString('utf8')).toBe(JSON.stringify(expected));
    }
  });

  it('should round-trip any bytes, including ones that are not UTF-8', () => {
    const binary = { ...frame, payload: Buffer.from([0x00, 0xff, 0xfe, 0x0d, 0x0a, 0xc3]) };
    const record = encodePbxRawFrame(binary);
    expect(decodePbxRawFrame(record.value, asDelivered(record.headers))).toEqual({ ok: true, frame: binary });
  });

  it('should name each bad attribute', () => {
    const record = encodePbxRawFrame(frame);
    const event = { ...JSON.parse(record.value.toString()), sequence: 0, pbxprotocol: 'sip', data_base64: '%%' };
    expect(decodePbxRawFrame(Buffer.from(JSON.stringify(event)), record.headers)).toEqual({
      ok: false,
      errors: ['sequence: expected positive integer', 'pbxprotocol: expected asterisk-ami|freeswitch-esl|webhook', 'data_base64: expected the frame bytes in base64'],
    });
  });

  it('should say so when the value is not a JSON object', () => {
    expect(decodePbxRawFrame(Buffer.from('Event: Hangup'), { 'content-type': PBX_RAW_STRUCTURED_CONTENT_TYPE })).toEqual({
      ok: false, errors: ['value: expected a JSON CloudEvent (structured mode)'],
    });
  });
});

describe('raw PBX frame archive v1 records (binary mode) stay readable', () => {
  // A v1 record as telephony.pbx-raw.v1 holds it: the bytes as the value, the attributes in ce_* headers.
  const v1Headers = {
    ce_specversion: '1.0', ce_id: frame.id, ce_source: '/switchboard/telephony-gateway/nanchang', ce_type: PBX_FRAME_TYPE, ce_subject: 'nc1',
    ce_time: frame.receivedAt, ce_tenant: 'acme', ce_site: 'nanchang', ce_sequence: '981', ce_pbxprotocol: 'asterisk-ami',
    'content-type': 'text/x-asterisk-ami; charset=UTF-8',
  };

  it('should decode a v1 record as kafkajs delivers it', () => {
    expect(decodePbxRawFrame(frame.payload, asDelivered(v1Headers))).toEqual({ ok: true, frame });
  });

  it('should name each bad v1 header', () => {
    expect(decodePbxRawFrame(null, { ...v1Headers, ce_sequence: '0', ce_pbxprotocol: 'sip' })).toEqual({
      ok: false,
      errors: ['ce_sequence: expected positive integer', 'ce_pbxprotocol: expected asterisk-ami|freeswitch-esl|webhook', 'value: expected raw frame bytes'],
    });
  });
});
