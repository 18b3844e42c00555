import { TASK_INDEX, WORKFLOW_INDEX, type FieldCatalog, type SearchIndex } from '../fields/search-fields';
import type { SearchError } from '../search-error';
import { parseQuery } from './query.parser';
import { validateQuery, type SearchFilter } from './query.validator';

function validate<C extends FieldCatalog>(text: string, index: SearchIndex<C>) {
  const tree = parseQuery(text);
  if (!tree.ok || !tree.value) throw new Error(`bad fixture: ${text}`);
  return validateQuery(tree.value, index);
}
const filter = (text: string, index: SearchIndex = WORKFLOW_INDEX): SearchFilter => {
  const result = validate(text, index);
  if (!result.ok) throw new Error(result.errors.map((e) => e.message).join('; '));
  return result.value;
};
const errors = (text: string, index: SearchIndex = WORKFLOW_INDEX): readonly SearchError[] => {
  const result = validate(text, index);
  if (result.ok) throw new Error(`expected errors for ${text}`);
  return result.errors;
};

describe('validateQuery: types the values by field', () => {
  it('keeps the tree and types every value', () => {
    expect(
      filter(`workflowType IN (a, 'b') AND (version = '2' OR startTime BETWEEN 2024-01-01 AND 1706745600000) AND endTime IS NULL AND correlationId STARTS_WITH c-`),
    ).toEqual({
      kind: 'and',
      clauses: [
        { kind: 'in', field: { name: 'workflowType', type: 'keyword' }, values: ['a', 'b'] },
        {
          kind: 'or',
          clauses: [
            { kind: 'compare', field: { name: 'version', type: 'integer' }, op: '=', value: 2 },
            { kind: 'between', field: { name: 'startTime', type: 'time' }, low: Date.parse('2024-01-01T00:00:00Z'), high: 1_706_745_600_000 },
          ],
        },
        { kind: 'isNull', field: { name: 'endTime', type: 'time' }, negated: false },
        { kind: 'startsWith', field: { name: 'correlationId', type: 'keyword' }, value: 'c-' },
      ],
    });
  });

  it.each([
    ['workflow', WORKFLOW_INDEX, 'failedReferenceTaskNames = t1', 'keywordList'],
    ['workflow', WORKFLOW_INDEX, 'parentWorkflowId IS NULL', 'keyword'],
    ['task', TASK_INDEX, 'taskDefName = http', 'keyword'],
    ['task', TASK_INDEX, 'queueWaitTime > 100', 'integer'],
    ['task', TASK_INDEX, 'scheduledTime < 1700000000000', 'time'],
  ])('%s search knows %s', (_, index, text, type) => {
    const f = filter(text, index);
    expect(f.kind !== 'and' && f.kind !== 'or' && f.field.type).toBe(type);
  });
});

describe('validateQuery: unknown fields are named', () => {
  it('lists what the index has', () => {
    expect(errors('workflowName = x')).toEqual([
      {
        param: 'query',
        position: 0,
        message:
          "unknown field 'workflowName': workflow search fields are workflowId, workflowType, version, correlationId, status, startTime, updateTime, endTime, reasonForIncompletion, executionTime, failedReferenceTaskNames, priority, parentWorkflowId (query, at position 0)",
      },
    ]);
  });

  it('suggests the spelling when only the case is off', () => {
    expect(errors('status = A AND workflowtype = x')[0]).toMatchObject({ position: 15 });
    expect(errors('workflowtype = x')[0].message).toContain("unknown field 'workflowtype' (did you mean 'workflowType'? field names are case-sensitive)");
  });

  it.each([['__proto__'], ['constructor'], ['toString'], ['hasOwnProperty'], ['input'], ['output'], ['metadata.width']])('%s is not a field', (name) => {
    expect(errors(`${name} = x`)[0].message).toContain(`unknown field '${name}'`);
  });

  it('knows task fields from workflow fields', () => {
    expect(errors('taskType = HTTP')[0].message).toContain("unknown field 'taskType'");
    expect(errors('version = 1', TASK_INDEX)[0].message).toContain("unknown field 'version': task search fields are taskId, taskType");
  });
});

describe('validateQuery: operators must fit the field', () => {
  it.each([
    ['status < RUNNING', 0, '< does not apply to status, a keyword: use =, !=, IN, STARTS_WITH, IS NULL, IS NOT NULL'],
    ['workflowId > a', 0, '> does not apply to workflowId'],
    ['status BETWEEN a AND b', 0, 'BETWEEN does not apply to status'],
    ['startTime STARTS_WITH 17', 0, 'STARTS_WITH does not apply to startTime, a time (epoch milliseconds or ISO-8601): use =, !=, <, >, BETWEEN, IN, IS NULL, IS NOT NULL'],
    ['version STARTS_WITH 1', 0, 'STARTS_WITH does not apply to version, an integer'],
    ['failedReferenceTaskNames > a', 0, '> does not apply to failedReferenceTaskNames, a list of keywords'],
  ])('%s', (text, position, message) => {
    const [e] = errors(text);
    expect(e.position).toBe(position);
    expect(e.message).toContain(message);
  });
});

describe('validateQuery: values must read as the field type', () => {
  it.each([
    ['startTime > yesterday', 12, "startTime is a time (epoch milliseconds or ISO-8601): expected epoch milliseconds (1700000000000) or an ISO-8601 time (2024-01-31T10:00:00Z), found 'yesterday'"],
    ['startTime BETWEEN 1 AND soon', 24, "found 'soon'"],
    ['startTime IN (1, x)', 17, "found 'x'"],
    ['version = 1.5', 10, "version is an integer: expected a whole number, found '1.5'"],
    ["priority != 'high'", 12, "found 'high'"],
    ['endTime < 99999999999999999', 10, 'the time is outside the years 1 to 9999'],
  ])('%s', (text, position, message) => {
    const [e] = errors(text);
    expect(e.position).toBe(position);
    expect(e.message).toContain(message);
  });

  it('reports every problem, in order', () => {
    expect(errors('nope = 1 OR version = x AND status < 1 AND startTime > y').map((e) => e.position)).toEqual([0, 22, 28, 55]);
  });
});
