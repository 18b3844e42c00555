import { render } from '../testing/render';
import { parseQuery } from './query.parser';
import type { QueryNode } from './query.ast';

const tree = (text: string): QueryNode | null => {
  const result = parseQuery(text);
  if (!result.ok) throw new Error(`did not parse: ${result.errors[0].message}`);
  return result.value;
};
const shape = (text: string): string => render(tree(text));

describe('parseQuery: every operator', () => {
  it.each([
    ['status = RUNNING', '(= status RUNNING)'],
    ['status != RUNNING', '(!= status RUNNING)'],
    ['startTime < 1700000000000', '(< startTime 1700000000000)'],
    ['startTime > 1700000000000', '(> startTime 1700000000000)'],
    ['status IN (RUNNING, FAILED)', '(in status [RUNNING, FAILED])'],
    ['startTime BETWEEN 1 AND 2', '(between startTime 1 2)'],
    ['endTime IS NULL', '(null endTime)'],
    ['endTime IS NOT NULL', '(notnull endTime)'],
    ['workflowType STARTS_WITH order_', '(prefix workflowType order_)'],
  ])('%s', (text, expected) => {
    expect(shape(text)).toBe(expected);
  });
});

describe('parseQuery: what Conductor clients send', () => {
  it.each([
    // Conductor's UI (ui/src/pages/executions/WorkflowSearch.jsx, TaskSearch.jsx)
    ['workflowType IN (a,b) AND workflowId="w1" AND status IN (RUNNING,FAILED) AND startTime>1700000000000 AND startTime<1800000000000',
      '(and (in workflowType [a, b]) (= workflowId "w1") (in status [RUNNING, FAILED]) (> startTime 1700000000000) (< startTime 1800000000000))'],
    ['taskId="t-1" AND taskType IN (http,simple)', '(and (= taskId "t-1") (in taskType [http, simple]))'],
    // Conductor's own parser tests (TestExpression): tabs, single quotes, a group, IS null / IS not null
    ["type='IMAGE' AND subType\t='sdp' AND (metadata.width > 50 OR metadata.height > 50)",
      '(and (= type "IMAGE") (= subType "sdp") (or (> metadata.width 50) (> metadata.height 50)))'],
    ['description IS null', '(null description)'],
    ['description IS not null', '(notnull description)'],
    // the Orkes docs: bare values, quoted IN items, a lower-case and inside BETWEEN
    ['workflowType = your_workflow_name AND status = PAUSED', '(and (= workflowType your_workflow_name) (= status PAUSED))'],
    ["workflowId IN ('a', 'b', 'c') AND workflowType ='test_workflow' AND startTime BETWEEN 1000 and 2000",
      '(and (in workflowId ["a", "b", "c"]) (= workflowType "test_workflow") (between startTime 1000 2000))'],
    ['startTime >1726655978410', '(> startTime 1726655978410)'],
    // Conductor's ES DAO itself (removeTask)
    ["(taskId='t1') AND (workflowId='w1')", '(and (= taskId "t1") (= workflowId "w1"))'],
  ])('%s', (text, expected) => {
    expect(shape(text)).toBe(expected);
  });
});

describe('parseQuery: AND binds tighter than OR; parentheses group', () => {
  it.each([
    ['a = 1 OR b = 2 AND c = 3', '(or (= a 1) (and (= b 2) (= c 3)))'],
    ['a = 1 AND b = 2 OR c = 3', '(or (and (= a 1) (= b 2)) (= c 3))'],
    ['a = 1 AND b = 2 OR c = 3 AND d = 4', '(or (and (= a 1) (= b 2)) (and (= c 3) (= d 4)))'],
    ['a = 1 OR b = 2 OR c = 3', '(or (= a 1) (= b 2) (= c 3))'],
    ['a = 1 AND b = 2 AND c = 3', '(and (= a 1) (= b 2) (= c 3))'],
    ['a = 1 AND (b = 2 OR c = 3)', '(and (= a 1) (or (= b 2) (= c 3)))'],
    ['(a = 1 OR b = 2) AND c = 3', '(and (or (= a 1) (= b 2)) (= c 3))'],
    ['(a = 1)', '(= a 1)'],
    ['((((a = 1))))', '(= a 1)'],
    ['(a = 1 AND b = 2) AND c = 3', '(and (and (= a 1) (= b 2)) (= c 3))'],
    ['a = 1 AND (b = 2 AND (c = 3 OR (d = 4 AND e = 5)))', '(and (= a 1) (and (= b 2) (or (= c 3) (and (= d 4) (= e 5)))))'],
  ])('%s', (text, expected) => {
    expect(shape(text)).toBe(expected);
  });
});

describe('parseQuery: quoting', () => {
  it.each([
    [`s = "a b"`, '(= s "a b")'],
    [`s = 'a b'`, '(= s "a b")'],
    [`s = "it's"`, `(= s "it's")`],
    [`s = 'say "hi"'`, '(= s "say \\"hi\\"")'],
    [String.raw`s = 'it\'s'`, `(= s "it's")`],
    [String.raw`s = "a\"b"`, '(= s "a\\"b")'],
    [String.raw`s = "back\\slash"`, '(= s "back\\\\slash")'],
    [String.raw`s = "\x"`, '(= s "x")'],
    [`s = ""`, '(= s "")'],
    [`s = "AND"`, '(= s "AND")'],
    [`s = 'null'`, '(= s "null")'],
    [`s = "a = 1 OR b = 2"`, '(= s "a = 1 OR b = 2")'],
    [`s = "(x)"`, '(= s "(x)")'],
    [`s IN ("a,b", 'c)')`, '(in s ["a,b", "c)"])'],
    [`s IN (my flow, other flow )`, '(in s [my flow, other flow])'],
    [`s IN (AND, OR)`, '(in s [AND, OR])'],
    [`s IN ( 'a' , b )`, '(in s ["a", b])'],
    [`s STARTS_WITH "wf 1"`, '(prefix s "wf 1")'],
    [`t BETWEEN "2024-01-01" AND '2024-02-01'`, '(between t "2024-01-01" "2024-02-01")'],
  ])('%s', (text, expected) => {
    expect(shape(text)).toBe(expected);
  });
});

describe('parseQuery: whitespace and case', () => {
  it.each([
    ['status=RUNNING', '(= status RUNNING)'],
    ['status!=RUNNING', '(!= status RUNNING)'],
    ['  status  =  RUNNING  ', '(= status RUNNING)'],
    ['status\t=\nRUNNING\r\n', '(= status RUNNING)'],
    ['status IN(A,B)', '(in status [A, B])'],
    ['status in (A)', '(in status [A])'],
    ['x between 1 and 2', '(between x 1 2)'],
    ['x is not null', '(notnull x)'],
    ['x Is NoT NuLl', '(notnull x)'],
    ['x IS   NOT\tNULL', '(notnull x)'],
    ['x starts_with a', '(prefix x a)'],
    ['a=1 and b=2 or c=3', '(or (and (= a 1) (= b 2)) (= c 3))'],
    ["a='1'AND b='2'", '(and (= a "1") (= b "2"))'],
    ['(a=1)AND(b=2)', '(and (= a 1) (= b 2))'],
    ['startTime>2024-01-31T10:00:00.000Z', '(> startTime 2024-01-31T10:00:00.000Z)'],
    ['version=-1', '(= version -1)'],
    ['', '∅'],
    ['   \t\n ', '∅'],
  ])('%j', (text, expected) => {
    expect(shape(text)).toBe(expected);
  });
});

describe('parseQuery: positions', () => {
  it('records where each field and value starts', () => {
    expect(tree(`status = "RUNNING" AND version IN (1, '2')`)).toEqual({
      kind: 'and',
      clauses: [
        { kind: 'compare', field: { name: 'status', position: 0 }, op: '=', value: { text: 'RUNNING', quoted: true, position: 9 } },
        {
          kind: 'in',
          field: { name: 'version', position: 23 },
          values: [
            { text: '1', quoted: false, position: 35 },
            { text: '2', quoted: true, position: 38 },
          ],
        },
      ],
    });
  });

  it('keeps unicode as written and counts positions in UTF-16 units', () => {
    expect(tree('correlationId = "😀 ünï" AND workflowType = 工作流')).toEqual({
      kind: 'and',
      clauses: [
        { kind: 'compare', field: { name: 'correlationId', position: 0 }, op: '=', value: { text: '😀 ünï', quoted: true, position: 16 } },
        { kind: 'compare', field: { name: 'workflowType', position: 29 }, op: '=', value: { text: '工作流', quoted: false, position: 44 } },
      ],
    });
  });
});

describe('parseQuery: syntax errors are values with a position', () => {
  it.each([
    // [query, position, message fragment]
    ['status', 6, 'expected an operator (=, !=, <, >, IN, BETWEEN, IS NULL, IS NOT NULL or STARTS_WITH) after \'status\', found the end of the query'],
    ['status RUNNING', 7, "after 'status', found 'RUNNING'"],
    ['status LIKE x', 7, "found 'LIKE'"],
    ['status =', 8, 'expected a value after =, found the end of the query'],
    ['status = AND x = 1', 9, "found the keyword 'AND' (quote it to use it as a value)"],
    ['status = null', 9, 'to match a missing value use IS NULL'],
    ['status = (x)', 9, "expected a value after =, found '('"],
    ['status >= 5', 7, "'>=' is not an operator: use '>' (exclusive) or BETWEEN (inclusive)"],
    ['status <= 5', 7, "'<=' is not an operator"],
    ['status <> 5', 7, "'<>' is not an operator: use '!='"],
    ['status == 5', 7, "'==' is not an operator: use '='"],
    ['status ! 5', 7, "unexpected '!'"],
    ['= 5', 0, "expected a field name or '(', found '='"],
    ['"status" = 5', 0, "expected a field name or '(', found a quoted string"],
    ['AND = 5', 0, "expected a field name or '(', found 'AND'"],
    ['a = 1 AND', 9, "expected a field name or '(', found the end of the query"],
    ['a = 1 OR OR b = 2', 9, "found 'OR'"],
    ['a = 1 b = 2', 6, "expected AND, OR or the end of the query, found 'b'"],
    ['a = 1 AND b = 2)', 15, "unexpected ')': no '(' is open"],
    ['(a = 1', 6, "expected AND, OR or ')' to close the '(' at position 0, found the end of the query"],
    ['(a = 1 b = 2)', 7, "to close the '(' at position 0, found 'b'"],
    ['()', 1, "expected a field name or '(', found ')'"],
    ['a IN', 4, "expected '(' after IN, found the end of the query"],
    ['a IN x', 5, "expected '(' after IN, found 'x'"],
    ['a IN ()', 6, "expected a value in the IN list, found ')'"],
    ['a IN (1,)', 8, "expected a value in the IN list, found ')'"],
    ['a IN (,1)', 6, "expected a value in the IN list, found ','"],
    ['a IN (1, 2', 5, "unclosed IN list: the '(' opened here is never closed"],
    ["a IN ('x' 'y')", 10, "expected ',' or ')' in the IN list, found a quoted string"],
    ["a IN (x'y')", 7, 'inside an IN list value: quote the whole value'],
    ['a IN (f(x))', 7, "unexpected '(' inside an IN list value"],
    ['a BETWEEN 1', 11, 'expected AND between the bounds of BETWEEN, found the end of the query'],
    ['a BETWEEN 1 OR 2', 12, "expected AND between the bounds of BETWEEN, found 'OR'"],
    ['a BETWEEN 1 AND', 15, 'expected a value after BETWEEN … AND, found the end of the query'],
    ['a BETWEEN AND 2', 10, "found the keyword 'AND'"],
    ['a IS', 4, 'expected NULL or NOT NULL after IS, found the end of the query'],
    ['a IS EMPTY', 5, "expected NULL or NOT NULL after IS, found 'EMPTY'"],
    ['a IS NOT', 8, 'expected NULL after IS NOT, found the end of the query'],
    ['a IS NOT 5', 9, "expected NULL after IS NOT, found '5'"],
    ['a STARTS_WITH', 13, 'expected a value after STARTS_WITH'],
    ['a = "unterminated', 4, 'unterminated string: the " opened here is never closed'],
    ["a = 'x\\'", 4, "unterminated string: the ' opened here is never closed"],
    ['a = "x\\', 4, 'unterminated string'],
  ])('%j fails at %i', (text, position, fragment) => {
    const result = parseQuery(text);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toHaveLength(1);
    expect(result.errors[0]).toMatchObject({ param: 'query', position });
    expect(result.errors[0].message).toContain(fragment);
    expect(result.errors[0].message).toContain(`at position ${position}`);
  });
});
