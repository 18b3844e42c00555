import { resolveParameters, resolveString } from './expressions';

const doc = {
  workflow: { input: { name: 'ada', count: 3, nested: { list: [{ a: 1 }, { a: 2 }] }, key: 'count' }, variables: {} },
  first: { output: { greeting: 'hello', items: [1, 2, 3] }, status: 'COMPLETED' },
};

describe('parameter expressions', () => {
  it.each([
    ['${workflow.input.name}', 'ada'],
    ['${workflow.input.count}', 3],
    ['${first.output.items}', [1, 2, 3]],
    ['${workflow.input.nested.list[1].a}', 2],
    ['${workflow.input.nested}', { list: [{ a: 1 }, { a: 2 }] }],
  ])('returns the typed value when the whole string is %s', (template, expected) => {
    expect(resolveString(template, doc)).toEqual(expected);
  });

  it('interpolates references inside text', () => {
    expect(resolveString('${first.output.greeting}, ${workflow.input.name} (${workflow.input.count})', doc)).toBe('hello, ada (3)');
  });

  it('interpolates objects as JSON', () => {
    expect(resolveString('items=${first.output.items}', doc)).toBe('items=[1,2,3]');
  });

  it('yields null for a path that resolves to nothing', () => {
    expect(resolveString('${workflow.input.missing}', doc)).toBeNull();
    expect(resolveString('${nosuchtask.output.x}', doc)).toBeNull();
  });

  it('resolves nested references inner first', () => {
    expect(resolveString('${workflow.input.${workflow.input.key}}', doc)).toBe(3);
  });

  it('keeps $${ as a literal ${', () => {
    expect(resolveString('cost: $${workflow.input.count}', doc)).toBe('cost: ${workflow.input.count}');
  });

  it('resolves an empty reference to the empty string and leaves plain strings alone', () => {
    expect(resolveString('${}', doc)).toBe('');
    expect(resolveString('no references', doc)).toBe('no references');
  });

  it('keeps an unterminated reference as text', () => {
    expect(resolveString('broken ${workflow.input.name', doc)).toBe('broken ${workflow.input.name');
  });

  it('walks maps and lists at any depth and leaves non-strings untouched', () => {
    expect(
      resolveParameters({ a: { b: ['${workflow.input.name}', 7, true, null] }, c: '${first.status}' }, doc),
    ).toEqual({ a: { b: ['ada', 7, true, null] }, c: 'COMPLETED' });
  });

  it('does not evaluate script filters (no code execution from a definition)', () => {
    expect(resolveString('${first.output.items[?(@ > 1)]}', doc)).toBeNull();
  });
});

describe('parameter expressions on hostile input', () => {
  it('keeps thousands of unterminated references as text instead of recursing through them', () => {
    const text = '${'.repeat(6000);
    expect(resolveString(text, doc)).toBe(text);
  });

  it('resolves reasonable nesting and stops looking into absurd nesting', () => {
    expect(resolveString('${workflow.input.${workflow.input.key}}', doc)).toBe(3);
    const deep = `${'${'.repeat(200)}x${'}'.repeat(200)}`;
    expect(() => resolveString(deep, doc)).not.toThrow();
  });
});
