import { jsonSyntaxError, LineIndex, locateIn, locateJsonPath, parseJsonPath, scanJson } from './json-locate';

/** The line and column of the first occurrence of `needle` in `text` (1-based), to state expectations by content. */
const at = (text: string, needle: string, nth = 0) => {
  let offset = -1;
  for (let k = 0; k <= nth; k++) offset = text.indexOf(needle, offset + 1);
  if (offset < 0) throw new Error(`${needle} not in text`);
  const { line, column } = new LineIndex(text).at(offset);
  return { line, column };
};
/** The `{` that opens the object holding `needle`. */
const objectOf = (text: string, needle: string) => {
  const { line, column } = new LineIndex(text).at(text.lastIndexOf('{', text.indexOf(needle)));
  return { line, column };
};

const def = {
  name: 'order',
  version: 3,
  timeoutSeconds: 60,
  tasks: [
    { name: 'a', taskReferenceName: 'a_ref', type: 'SIMPLE' },
    {
      name: 'fork',
      taskReferenceName: 'fork_ref',
      type: 'FORK_JOIN',
      forkTasks: [[{ name: 'x', taskReferenceName: 'x_ref' }], [{ name: 'y', taskReferenceName: 'y_ref', inputParameters: { deep: { list: [1, [2, 3]] } } }, { taskReferenceName: 'nameless' }]],
    },
    {
      name: 'sw',
      taskReferenceName: 'sw_ref',
      type: 'SWITCH',
      decisionCases: { 'needs review': [{ name: 'r', taskReferenceName: 'r_ref' }], 'say "hi"': [{ name: 'q', taskReferenceName: 'q_ref' }], 'a.b': [] },
    },
  ],
};
const pretty = JSON.stringify(def, null, 2);
const compact = JSON.stringify(def);

describe('locateJsonPath', () => {
  it('a top-level field, pretty-printed: the value on its line', () => {
    expect(locateJsonPath(pretty, 'timeoutSeconds')).toEqual(at(pretty, '60'));
    expect(locateJsonPath(pretty, 'name')).toEqual(at(pretty, '"order"'));
  });

  it('the root: `$`, `` and a path of nothing but `$`', () => {
    for (const path of ['$', '', '  ']) expect(locateJsonPath(pretty, path)).toEqual({ line: 1, column: 1 });
    expect(locateJsonPath('  \n  {"a": 1}', '$')).toEqual({ line: 2, column: 3 });
  });

  it('`$.` prefixed paths read as plain ones', () => {
    expect(locateJsonPath(pretty, '$.tasks[0].type')).toEqual(at(pretty, '"SIMPLE"'));
  });

  it('array items and nested arrays (forkTasks[b][i])', () => {
    expect(locateJsonPath(pretty, 'tasks[1]')).toEqual(objectOf(pretty, '"name": "fork"'));
    expect(locateJsonPath(pretty, 'tasks[1].forkTasks[1][0].taskReferenceName')).toEqual(at(pretty, '"y_ref"'));
    expect(locateJsonPath(pretty, 'tasks[1].forkTasks[0][0].name')).toEqual(at(pretty, '"x"'));
    expect(locateJsonPath(pretty, 'tasks[1].forkTasks[1][0].inputParameters.deep.list[1][0]')).toEqual(at(pretty, '2'));
  });

  it('works the same on compact JSON: line 1, the right column', () => {
    const loc = locateJsonPath(compact, 'tasks[1].forkTasks[1][0].taskReferenceName');
    expect(loc).toEqual({ line: 1, column: compact.indexOf('"y_ref"') + 1 });
    expect(locateJsonPath(compact, 'tasks[2].type')).toEqual({ line: 1, column: compact.indexOf('"SWITCH"') + 1 });
  });

  it('any layout: values on lines of their own, CRLF, tabs', () => {
    const text = '{\r\n\t"tasks":\r\n\t[\r\n\t\t{ "name" :\r\n\t\t\t"a" }\r\n\t]\r\n}';
    expect(locateJsonPath(text, 'tasks')).toEqual({ line: 3, column: 2 });
    expect(locateJsonPath(text, 'tasks[0].name')).toEqual({ line: 5, column: 4 });
  });

  it('quoted keys, with spaces, escaped quotes and dots', () => {
    expect(locateJsonPath(pretty, 'tasks[2].decisionCases["needs review"][0].taskReferenceName')).toEqual(at(pretty, '"r_ref"'));
    expect(locateJsonPath(pretty, 'tasks[2].decisionCases["say \\"hi\\""][0].name')).toEqual(at(pretty, '"q"'));
    expect(locateJsonPath(pretty, "tasks[2].decisionCases['needs review'][0]")).toEqual(objectOf(pretty, '"name": "r"'));
    expect(locateJsonPath(pretty, 'tasks[2].decisionCases["a.b"]')).toEqual(at(pretty, '[]'));
  });

  it('an unquoted path through a key with a dot in it (class-validator writes them so)', () => {
    expect(locateJsonPath(pretty, 'tasks[2].decisionCases.a.b')).toEqual(at(pretty, '[]'));
    expect(locateJsonPath(pretty, 'tasks[2].decisionCases.needs review[0].name')).toEqual(at(pretty, '"r"'));
  });

  it('keys whose text holds escapes are matched by their value', () => {
    const text = '{"we\\"ird": {"\\u0041": 1, "tab\\tkey": 2}}';
    expect(locateJsonPath(text, '["we\\"ird"].A')).toEqual({ line: 1, column: text.indexOf(': 1') + 3 });
    expect(locateJsonPath(text, '["we\\"ird"]["tab\\tkey"]')).toEqual({ line: 1, column: text.indexOf(': 2') + 3 });
  });

  it('a missing leaf falls back to the nearest ancestor: the object that lacks a required field', () => {
    expect(locateJsonPath(pretty, 'tasks[1].forkTasks[1][1].name')).toEqual(objectOf(pretty, '"nameless"'));
    expect(locateJsonPath(pretty, 'ownerEmail')).toEqual({ line: 1, column: 1 });
    expect(locateJsonPath(pretty, 'tasks[7].name')).toEqual(at(pretty, '['));
    const scan = scanJson(pretty);
    if (!scan.ok) throw new Error('not JSON');
    expect(locateIn(scan.root, 'tasks[1].forkTasks[1][1].name').exact).toBe(false);
    expect(locateIn(scan.root, 'tasks[1].forkTasks[1][0].name').exact).toBe(true);
  });

  it('a path through a scalar stops at the scalar', () => {
    expect(locateJsonPath(pretty, 'timeoutSeconds.x[0]')).toEqual(at(pretty, '60'));
  });

  it('a repeated key: the last one, as JSON.parse keeps', () => {
    const text = '{"a": 1,\n "a": 2}';
    expect(locateJsonPath(text, 'a')).toEqual({ line: 2, column: 7 });
  });

  it('a prefix the text does not have (a start request, a bulk item) is dropped when the rest is there', () => {
    expect(locateJsonPath(pretty, 'workflowDef.tasks[0].taskReferenceName')).toEqual(at(pretty, '"a_ref"'));
    expect(locateJsonPath(pretty, '[0].timeoutSeconds')).toEqual(at(pretty, '60'));
    // not when the rest is not there either: the root
    expect(locateJsonPath(pretty, 'workflowDef.nothing')).toEqual({ line: 1, column: 1 });
    expect(locateJsonPath('{"name": "x"}', 'tasks[0].name')).toEqual({ line: 1, column: 1 });
  });

  it('an array at the root', () => {
    const text = '[\n  {"name": "a"},\n  {"name": "b"}\n]';
    expect(locateJsonPath(text, '[1].name')).toEqual({ line: 3, column: 12 });
    expect(locateJsonPath(text, '[5].name')).toEqual({ line: 1, column: 1 });
  });

  it('bad JSON: undefined', () => {
    expect(locateJsonPath('{"a": ', 'a')).toBeUndefined();
    expect(locateJsonPath('', '$')).toBeUndefined();
  });
});

describe('parseJsonPath', () => {
  it('reads keys, indexes and quoted keys', () => {
    expect(parseJsonPath('tasks[0].forkTasks[1][0].name')).toEqual([
      { key: 'tasks', dotted: true },
      { index: 0 },
      { key: 'forkTasks', dotted: true },
      { index: 1 },
      { index: 0 },
      { key: 'name', dotted: true },
    ]);
    expect(parseJsonPath('$')).toEqual([]);
    expect(parseJsonPath('$.a')).toEqual([{ key: 'a', dotted: true }]);
    expect(parseJsonPath('a["b.c"]["d\\"e"][x]')).toEqual([
      { key: 'a', dotted: true },
      { key: 'b.c', dotted: false },
      { key: 'd"e', dotted: false },
      { key: 'x', dotted: false },
    ]);
    expect(parseJsonPath('[1].retryCount')).toEqual([{ index: 1 }, { key: 'retryCount', dotted: true }]);
  });
});

describe('jsonSyntaxError', () => {
  const err = (text: string) => jsonSyntaxError(text);

  it('valid JSON: none', () => {
    for (const text of [pretty, compact, '1', '"s"', 'null', ' [ ] ', '{}', '-0.5e+10', '"\\u00e9\\n"']) expect(err(text)).toBeUndefined();
  });

  it('a missing comma: on the line of what follows it', () => {
    const text = '{\n  "a": 1\n  "b": 2\n}';
    expect(err(text)).toMatchObject({ line: 3, column: 3, message: expect.stringContaining("Expected ',' or '}'") });
  });

  it('a trailing comma: at the comma', () => {
    expect(err('{\n  "a": 1,\n}')).toMatchObject({ line: 2, column: 9, message: expect.stringContaining('no comma after the last') });
    expect(err('[1, 2,\n]')).toMatchObject({ line: 1, column: 6, message: expect.stringContaining('no comma after the last') });
  });

  it('an unclosed object: at the end, naming the line of its brace', () => {
    expect(err('{\n  "a": {\n    "b": 1\n}')).toMatchObject({ line: 4, column: 2, message: expect.stringContaining("'{' on line 1 is never closed") });
  });

  it('single quotes, bare words, comments', () => {
    expect(err("{'a': 1}")).toMatchObject({ line: 1, column: 2, message: expect.stringContaining('double quotes') });
    expect(err('{"a": yes}')).toMatchObject({ line: 1, column: 7, message: expect.stringContaining("'yes'") });
    expect(err('{\n// note\n"a": 1}')).toMatchObject({ line: 2, column: 1 });
    expect(err('[1] // note')).toMatchObject({ line: 1, column: 5, message: expect.stringContaining('after the end') });
  });

  it('strings: a line break inside, a bad escape, unterminated', () => {
    expect(err('{"a": "one\ntwo"}')).toMatchObject({ line: 1, column: 11, message: expect.stringContaining('Unterminated string') });
    expect(err('["a\\x"]')).toMatchObject({ line: 1, column: 4, message: expect.stringContaining('Bad escape') });
    expect(err('["a\\u12"]')).toMatchObject({ line: 1, column: 4 });
    expect(err('\n\n  "abc')).toMatchObject({ line: 3, column: 3, message: expect.stringContaining('Unterminated string') });
  });

  it('numbers JSON does not have', () => {
    for (const text of ['01', '1.', '.5', '+1', '1e', '-', '0x10', 'NaN', 'Infinity']) expect(err(text)).toBeDefined();
  });

  it('a missing colon, a key without quotes', () => {
    expect(err('{"a" 1}')).toMatchObject({ line: 1, column: 6, message: expect.stringContaining("Expected ':'") });
    expect(err('{a: 1}')).toMatchObject({ line: 1, column: 2, message: expect.stringContaining('property name in double quotes') });
  });

  it('empty text', () => {
    expect(err('')).toMatchObject({ line: 1, column: 1, message: expect.stringContaining('empty') });
    expect(err('  \n ')).toMatchObject({ line: 2, column: 2 });
  });

  it('deep nesting does not overflow', () => {
    const deep = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(err(deep)).toBeUndefined();
    expect(err(deep.slice(0, -1))).toMatchObject({ message: expect.stringContaining('never closed') });
  });

  it('accepts exactly what JSON.parse accepts (hand-picked and mutated texts)', () => {
    const samples = ['{"a":[1,2,{"b":null}],"c":"\\"x\\""}', '[true,false,null,-1.5E-3,0,"\\/\\b\\f\\r\\t"]', '{"":""}', '\t[ 1 ,\r\n 2 ]\n', '"\u2028"', '{"a":1}x', '[1,]', '{,}', '[', ']', '"\\', '"\t"', '\ufeff{}', '{"a":1,"a":2}'];
    let seed = 7;
    const rand = (k: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % k;
    };
    const alphabet = ['{', '}', '[', ']', ',', ':', '"', '\\', ' ', '\n', '1', '-', '.', 'e', 't', 'n', 'u', '0', 'x', '\t'];
    for (let k = 0; k < 3000; k++) {
      const base = k % 2 ? compact : pretty.slice(0, 400) + '"x"}]}]}';
      const pos = rand(base.length);
      const op = rand(3);
      const ch = alphabet[rand(alphabet.length)];
      samples.push(op === 0 ? base.slice(0, pos) + base.slice(pos + 1) : op === 1 ? base.slice(0, pos) + ch + base.slice(pos) : base.slice(0, pos) + ch + base.slice(pos + 1));
    }
    for (const text of samples) {
      let parses = true;
      try {
        JSON.parse(text);
      } catch {
        parses = false;
      }
      expect([text, scanJson(text).ok]).toEqual([text, parses]);
    }
  });
});

describe('LineIndex', () => {
  it('maps offsets to lines and columns, and back', () => {
    const idx = new LineIndex('ab\ncd\n\ne');
    expect(idx.lineCount).toBe(4);
    expect(idx.at(0)).toEqual({ offset: 0, line: 1, column: 1 });
    expect(idx.at(3)).toEqual({ offset: 3, line: 2, column: 1 });
    expect(idx.at(7)).toEqual({ offset: 7, line: 4, column: 1 });
    expect(idx.offsetOf(2, 2)).toBe(4);
    expect(idx.offsetOf(9, 1)).toBe(7);
  });
});
