import { allExpressions, forEachString, parseExpressions } from './parameter-expression.parser';

const roots = (text: string) => allExpressions(text).map((e) => [e.root, e.hasPath]);

describe('parameter expressions', () => {
  it.each([
    ['${workflow.input.id}', [['workflow', true]]],
    ['${charge.output.list[0].a}', [['charge', true]]],
    ["${charge['output']}", [['charge', true]]],
    ['${charge}', [['charge', false]]],
    ['${NETFLIX_ENV}', [['NETFLIX_ENV', false]]],
    ['id-${a.output.x}-${b.output.y}', [['a', true], ['b', true]]],
    ['${a.output.${b.output.key}}', [['a', true], ['b', true]]],
    ['${${a.output.name}.output}', [[undefined, false], ['a', true]]],
    ['${ workflow.input.x }', [['workflow', true]]],
  ])('%s', (text, expected) => {
    expect(roots(text)).toEqual(expected);
  });

  it.each([['plain text'], ['$${not.an.expression}'], ['${unterminated.output'], ['${}'], ['$ {a.b}']])('finds no reference in %s', (text) => {
    expect(allExpressions(text).filter((e) => e.root)).toEqual([]);
  });

  it('keeps scanning after an unterminated ${', () => {
    expect(roots('${broken ${a.output}')).toEqual([['a', true]]);
  });

  it('returns the whole expression text and nests inner expressions under the outer one', () => {
    const [outer] = parseExpressions('x=${a.output.${b.output.k}}!');
    expect(outer.text).toBe('${a.output.${b.output.k}}');
    expect(outer.nested.map((e) => e.text)).toEqual(['${b.output.k}']);
  });

  it('visits every string of a JSON value with its path', () => {
    const seen: string[] = [];
    forEachString({ a: 'x', b: [1, 'y', { 'odd key': 'z' }], c: null }, 'inputParameters', (text, path) => seen.push(`${path}=${text}`));
    expect(seen).toEqual(['inputParameters.a=x', 'inputParameters.b[1]=y', 'inputParameters.b[2]["odd key"]=z']);
  });
});
