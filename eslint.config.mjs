// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * Boundaries (CONVENTIONS §5): apps import libs only by their package root (`@app/contracts`), never a
 * deep path and never another app; libs never import apps. The embedded composition root is the one
 * place that may import the apps' root modules. The database boundary (one writing app per table, readers
 * through the owner's query module) is held by libs/persistence/src/table-ownership.spec.ts.
 */
const boundaries = {
  'no-restricted-imports': [
    'error',
    {
      patterns: [
        { group: ['@app/*/*'], message: 'Import a lib by its package root only (e.g. @app/contracts).' },
        { group: ['**/libs/**', '../**/libs/*'], message: 'Import a lib through its @app/* alias, not a path.' },
        { group: ['**/apps/**', '../../*/src/**', '../../../apps/**'], message: 'An app never imports another app.' },
      ],
    },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.infra/**', '.scratch/**', 'data/**', 'coverage/**', 'packages/*/dist/**', 'packages/*/.example-build/**', '**/*.js', '**/*.mjs', '**/*.cjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      ...boundaries,
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // The wire stays framework-free: no Nest, no TypeORM, no other lib.
    files: ['libs/contracts/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*', 'typeorm', '@app/*'], message: 'libs/contracts is the wire: no framework or other lib imports.' },
            { group: ['**/apps/**', '**/libs/**'], message: 'libs/contracts imports nothing from the repo.' },
          ],
        },
      ],
    },
  },
  {
    // The search language is pure: callers bind and send what it compiles, so it needs no framework, driver or other lib.
    files: ['libs/search/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@nestjs/*', 'typeorm', 'pg', '@opensearch-project/*', '@app/*'], message: 'libs/search is pure: no framework, driver or other lib imports.' },
            { group: ['**/apps/**', '**/libs/**'], message: 'libs/search imports nothing from the apps or other libs.' },
          ],
        },
      ],
    },
  },
  {
    // A package (the worker SDK) is published on its own: nothing of the monorepo's may leak into it.
    files: ['packages/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['@app/*'], message: 'packages/ stand alone: no monorepo lib imports (copy the wire types, as src/protocol.ts does).' },
            { group: ['**/apps/**', '**/libs/**'], message: 'packages/ import nothing from the apps or libs.' },
          ],
        },
      ],
    },
  },
  {
    // The web UI's bundle takes the dialects' status tables and the derived ids from their pure files in
    // libs/contracts (the lib as a whole carries decorators, and is imported type-only): this file only.
    files: ['apps/ui/src/model/dialects.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    // The composition root of embedded mode wires the four apps together.
    files: ['apps/embedded/src/main.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['**/*.spec.ts', '**/*.int-spec.ts', '**/*.e2e-spec.ts', 'test/**/*.ts'],
    rules: { '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
