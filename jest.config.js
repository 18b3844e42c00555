// Test tiers (CONVENTIONS §11): unit = *.spec.ts (pure, no I/O); integration = *.int-spec.ts (real
// Postgres / Kafka); e2e = test/e2e/*.e2e-spec.ts (the apps driven through HTTP). One project per tier so
// each has its own script and timeout.
const fs = require('fs');
const swc = JSON.parse(fs.readFileSync(`${__dirname}/.swcrc`, 'utf8'));
const base = {
  rootDir: __dirname,
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['@swc/jest', { ...swc, swcrc: false }] },
  moduleFileExtensions: ['ts', 'js', 'json'],
  moduleNameMapper: {
    '^@app/contracts$': '<rootDir>/libs/contracts/src',
    '^@app/bus$': '<rootDir>/libs/bus/src',
    '^@app/persistence$': '<rootDir>/libs/persistence/src',
    '^@app/runtime$': '<rootDir>/libs/runtime/src',
    '^@app/search$': '<rootDir>/libs/search/src',
  },
  modulePathIgnorePatterns: ['<rootDir>/dist/', '<rootDir>/packages/[^/]+/(dist|\\.example-build)/'],
};
module.exports = {
  projects: [
    // packages/ (the worker SDK) shares the tiers; it imports nothing of the monorepo's, so the @app paths never apply there.
    { ...base, displayName: 'unit', testMatch: ['<rootDir>/{apps,libs,packages}/**/*.spec.ts'] },
    { ...base, displayName: 'integration', testMatch: ['<rootDir>/{apps,libs,test,packages}/**/*.int-spec.ts'] },
    { ...base, displayName: 'e2e', testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'] },
  ],
};
