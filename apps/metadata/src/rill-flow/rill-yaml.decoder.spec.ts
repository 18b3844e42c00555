import { decodeRillYaml, plain, YamlNumber } from './rill-yaml.decoder';

function body(yaml: string): Record<string, unknown> {
  const decoded = decodeRillYaml(yaml);
  if (!decoded.ok) throw new Error(JSON.stringify(decoded.errors));
  return decoded.body as Record<string, unknown>;
}

describe('decodeRillYaml', () => {
  it('keeps how each number was spelt next to its value', () => {
    const { version, name, hex } = body('version: 1.10\nname: 007\nhex: 0x1F\n');
    expect(version).toEqual(new YamlNumber(1.1, '1.10'));
    expect(name).toEqual(new YamlNumber(7, '007'));
    expect(hex).toEqual(new YamlNumber(31, '0x1F'));
  });

  it('gives mappings string keys: numbers as spelt, null as empty, others as JSON', () => {
    expect(Object.keys(body('1.50: a\nnull: b\ntrue: c\n? [x, 1]\n: d\n'))).toEqual(['1.50', '', 'true', '["x",1]']);
  });

  it('keeps a __proto__ key as data', () => {
    const decoded = body('__proto__: {polluted: true}\n');
    expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
    expect(Object.keys(decoded)).toEqual(['__proto__']);
  });

  it('applies merge keys', () => {
    expect(body('base: &b {category: pass}\ntask: {<<: *b, name: A}\n').task).toEqual({ category: 'pass', name: 'A' });
  });

  it('reports a syntax error at $ with its line and column, without the code frame', () => {
    expect(decodeRillYaml('tasks:\n  - next: [B\n')).toEqual({
      ok: false,
      errors: [{ path: '$', message: expect.stringMatching(/^YAML syntax error at line 3, column 1: [^\n]+$/), invalidValue: expect.any(String) }],
    });
  });

  it('refuses an alias inside its own anchor', () => {
    expect(decodeRillYaml('loop: &x [*x]\n')).toEqual({ ok: false, errors: [{ path: '$', message: 'YAML error: an alias refers to a node that contains it' }] });
  });

  it('returns the parser warnings as text', () => {
    expect(decodeRillYaml('%FOO bar\n---\na: 1\n')).toMatchObject({ ok: true, warnings: ['YAML warning at line 1, column 1: Unknown directive %FOO'] });
  });
});

describe('plain', () => {
  it('turns spelt numbers back into numbers, at any depth', () => {
    expect(plain(body('a: [1, {b: 2.50}]\nc: x\n'))).toEqual({ a: [1, { b: 2.5 }], c: 'x' });
  });
});
