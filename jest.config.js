// Two projects: `unit` (pure code, runs anywhere) and `integration` (real Kafka and Postgres, started by
// the global setup from deploy/local unless KAFKA_BROKERS / DATABASE_URL point at external infrastructure).
const fs = require('node:fs');
const swcConfig = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const transform = { '^.+\\.ts$': ['@swc/jest', { ...swcConfig, swcrc: false }] };
const roots = ['<rootDir>/libs', '<rootDir>/services', '<rootDir>/tools', '<rootDir>/deploy', '<rootDir>/test'];

module.exports = {
  projects: [
    {
      displayName: 'unit',
      roots,
      transform,
      testEnvironment: 'node',
      testMatch: ['**/*.unit.spec.ts'],
    },
    {
      displayName: 'integration',
      roots,
      transform,
      testEnvironment: 'node',
      testMatch: ['**/*.int.spec.ts'],
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFilesAfterEnv: ['<rootDir>/test/integration-setup.ts'],
    },
  ],
};
