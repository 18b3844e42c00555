// Test tiers as at the root (CONVENTIONS §11): unit = src/**/*.spec.ts (a fake HTTP server at most, no
// broker); integration = src/**/*.int-spec.ts (a real Kafka at TEST_KAFKA_BROKERS).
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' }, sourceMaps: true, swcrc: false }],
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/.example-build/'],
};
module.exports = {
  projects: [
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/src/**/*.spec.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/src/**/*.int-spec.ts'], testTimeout: 60000 },
  ],
};
