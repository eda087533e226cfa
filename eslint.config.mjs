// Architecture rules are executable: module boundaries between projects (Nx tags) and purity of domain/ folders.
// Both rules are proven by tests in test/architecture.unit.spec.ts.
import nx from '@nx/eslint-plugin';
import tseslint from 'typescript-eslint';

const services = ['telephony-gateway', 'routing', 'qa', 'hr', 'training', 'reporting'];

/** Who may depend on whom. Services share only scope:shared libs; nobody may import a service. */
export const depConstraints = [
  { sourceTag: 'type:contracts', onlyDependOnLibsWithTags: ['type:contracts'] },
  { sourceTag: 'type:domain-kit', onlyDependOnLibsWithTags: ['type:domain-kit'] },
  { sourceTag: 'type:util', onlyDependOnLibsWithTags: ['type:util'] },
  { sourceTag: 'type:platform', onlyDependOnLibsWithTags: ['type:platform', 'type:contracts', 'type:util', 'type:domain-kit', 'type:testing'] },
  { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:testing', 'type:tooling', 'type:contracts', 'type:util'] },
  { sourceTag: 'type:tooling', onlyDependOnLibsWithTags: ['type:tooling', 'type:platform', 'type:contracts', 'type:util', 'type:domain-kit'] },
  { sourceTag: 'scope:shared', onlyDependOnLibsWithTags: ['scope:shared'] },
  ...services.map((s) => ({ sourceTag: `scope:${s}`, onlyDependOnLibsWithTags: [`scope:${s}`, 'scope:shared'] })),
  // The simulator is the independent oracle: it may share contract types and nothing else.
  { sourceTag: 'scope:simulator', onlyDependOnLibsWithTags: ['scope:simulator', 'type:contracts'] },
  { sourceTag: 'scope:bench', onlyDependOnLibsWithTags: ['scope:bench', 'scope:shared', 'scope:tooling', 'scope:simulator', ...services.map((s) => `scope:${s}`)] },
  { sourceTag: 'scope:e2e', onlyDependOnLibsWithTags: ['scope:e2e', 'scope:shared', 'scope:simulator', ...services.map((s) => `scope:${s}`)] },
];

/** domain/ is pure TypeScript: no framework, I/O, environment, clock or randomness. Time and ids arrive with commands. */
const domainPurity = {
  files: ['**/domain/**/*.ts'],
  rules: {
    'no-restricted-imports': ['error', {
      patterns: [
        { group: ['@nestjs/*', 'kafkajs', 'pg', 'pg-*', 'typeorm', '@grpc/*', 'pino', 'prom-client', '@opentelemetry/*', 'uuid'], message: 'domain/ is pure: no framework or I/O imports. Put adapters in infrastructure/.' },
        { group: ['node:*', 'fs', 'net', 'http', 'https', 'crypto', 'child_process', 'os', 'dgram', 'tls'], message: 'domain/ is pure: no Node I/O. Pass what you need in with the command.' },
        { group: ['@switchboard/eventsourcing', '@switchboard/service-kit', '@switchboard/config', '@switchboard/local-infra'], message: 'domain/ may import only @switchboard/contracts and @switchboard/decider.' },
      ],
    }],
    'no-restricted-globals': ['error',
      { name: 'process', message: 'domain/ must not read the environment; configuration arrives through the composition root.' },
      { name: 'setTimeout', message: 'domain/ has no clock; schedule in an adapter.' },
      { name: 'setInterval', message: 'domain/ has no clock; schedule in an adapter.' },
    ],
    'no-restricted-syntax': ['error',
      { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'domain/ has no clock: take `now` from the command.' },
      { selector: "CallExpression[callee.object.name='Date'][callee.property.name='now']", message: 'domain/ has no clock: take `now` from the command.' },
      { selector: "CallExpression[callee.object.name='Math'][callee.property.name='random']", message: 'domain/ has no randomness: take ids from the command.' },
      { selector: "CallExpression[callee.property.name='randomUUID']", message: 'domain/ has no randomness: take ids from the command.' },
    ],
  },
};

export default [
  { ignores: ['**/node_modules/**', '**/dist/**', '.infra/**', '.nx/**', 'coverage/**', '**/generated/**', '**/__fixtures__/**'] },
  ...nx.configs['flat/base'],
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'error',
    },
  },
  {
    // Integration tests may drive the PBX simulator, the independent oracle; production code never imports it.
    files: ['**/*.int.spec.ts'],
    rules: {
      '@nx/enforce-module-boundaries': ['error', { enforceBuildableLibDependency: false, allow: [], depConstraints: depConstraints.map((c) =>
        services.some((svc) => c.sourceTag === `scope:${svc}`) ? { ...c, onlyDependOnLibsWithTags: [...c.onlyDependOnLibsWithTags, 'scope:simulator'] } : c) }],
    },
  },
  domainPurity,
  { files: ['**/*.spec.ts'], rules: { '@typescript-eslint/no-non-null-assertion': 'off' } },
  { files: ['**/*.js', '**/*.cjs'], rules: { '@typescript-eslint/no-require-imports': 'off' } },
];
