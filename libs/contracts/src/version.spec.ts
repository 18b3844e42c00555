import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { BATON_VERSION } from './version';

describe('BATON_VERSION', () => {
  it('is the version package.json gives', () => {
    const pkg = JSON.parse(readFileSync(join(__dirname, '../../../package.json'), 'utf8')) as { version: string };
    expect(BATON_VERSION).toBe(pkg.version);
  });
});
