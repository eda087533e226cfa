import { ConfigError } from '@switchboard/config';
import { loadServiceConfig } from './config';

const base = { KAFKA_BROKERS: '127.0.0.1:9092', DATABASE_URL: 'postgres://u@127.0.0.1:5432/db', AUTH_JWT_SECRET: 'x'.repeat(32) };

describe('reporting configuration', () => {
  it('should default to the data clock, one zone and no per-site zones', () => {
    expect(loadServiceConfig(base)).toMatchObject({ clock: 'data', timeZone: 'Asia/Shanghai', siteTimeZones: {} });
  });

  it('should read per-site time zones', () => {
    const cfg = loadServiceConfig({ ...base, REPORTING_CLOCK: 'wall', REPORTING_SITE_TIME_ZONES: 'nanchang=Asia/Shanghai, lisbon=Europe/Lisbon' });
    expect(cfg).toMatchObject({ clock: 'wall', siteTimeZones: { nanchang: 'Asia/Shanghai', lisbon: 'Europe/Lisbon' } });
  });

  it('should name a malformed site zone setting', () => {
    for (const bad of ['lisbon', 'lisbon=Mars/Olympus', '=Europe/Lisbon', 'a=Europe/Lisbon=x']) {
      expect(() => loadServiceConfig({ ...base, REPORTING_SITE_TIME_ZONES: bad })).toThrow(ConfigError);
      expect(() => loadServiceConfig({ ...base, REPORTING_SITE_TIME_ZONES: bad })).toThrow(/REPORTING_SITE_TIME_ZONES/);
    }
    expect(() => loadServiceConfig({ ...base, REPORTING_CLOCK: 'sundial' })).toThrow(/REPORTING_CLOCK/);
  });
});
