import { TASK_INDEX, WORKFLOW_INDEX } from '../fields/search-fields';
import { request } from '../testing/requests';
import type { OsQuery } from './opensearch-dsl';
import { openSearchMapping, TASK_OPENSEARCH_SPEC, WORKFLOW_OPENSEARCH_SPEC, type OpenSearchSpec } from './opensearch-fields';
import { compileOpenSearch } from './opensearch.compiler';

const filterOf = (query: string): OsQuery => {
  const { query: q } = compileOpenSearch(request(WORKFLOW_INDEX, query), WORKFLOW_OPENSEARCH_SPEC);
  if (!('bool' in q) || q.bool.filter?.length !== 1) throw new Error('expected one filter');
  return q.bool.filter[0];
};
const ms = { format: 'epoch_millis' } as const;

describe('compileOpenSearch: every operator', () => {
  it.each<[string, OsQuery]>([
    ['status = RUNNING', { term: { status: 'RUNNING' } }],
    ['status != RUNNING', { bool: { must_not: [{ term: { status: 'RUNNING' } }] } }],
    ['status IN (RUNNING, PAUSED)', { terms: { status: ['RUNNING', 'PAUSED'] } }],
    ['workflowType STARTS_WITH order_', { prefix: { workflowType: { value: 'order_' } } }],
    ['correlationId IS NULL', { bool: { must_not: [{ exists: { field: 'correlationId' } }] } }],
    ['correlationId IS NOT NULL', { exists: { field: 'correlationId' } }],
    ['startTime > 1700000000000', { range: { startTime: { gt: 1_700_000_000_000, ...ms } } }],
    ['startTime < 2024-01-01', { range: { startTime: { lt: Date.parse('2024-01-01T00:00:00Z'), ...ms } } }],
    ['startTime BETWEEN 1 AND 2', { range: { startTime: { gte: 1, lte: 2, ...ms } } }],
    ['startTime = 5', { range: { startTime: { gte: 5, lte: 5, ...ms } } }],
    ['startTime != 5', { bool: { must_not: [{ range: { startTime: { gte: 5, lte: 5, ...ms } } }] } }],
    [
      'endTime IN (1, 2)',
      { bool: { should: [{ range: { endTime: { gte: 1, lte: 1, ...ms } } }, { range: { endTime: { gte: 2, lte: 2, ...ms } } }], minimum_should_match: 1 } },
    ],
    ['version = 2', { term: { version: 2 } }],
    ['version IN (1, 2)', { terms: { version: [1, 2] } }],
    ['priority > 5', { range: { priority: { gt: 5 } } }],
    ['version BETWEEN 1 AND 3', { range: { version: { gte: 1, lte: 3 } } }],
    ['failedReferenceTaskNames = t1', { term: { failedReferenceTaskNames: 't1' } }],
    ['failedReferenceTaskNames IN (t1, t2)', { terms: { failedReferenceTaskNames: ['t1', 't2'] } }],
    ['failedReferenceTaskNames IS NULL', { bool: { must_not: [{ exists: { field: 'failedReferenceTaskNames' } }] } }],
  ])('%s', (query, expected) => {
    expect(filterOf(query)).toEqual(expected);
  });
});

describe('compileOpenSearch: AND, OR and parentheses', () => {
  it.each<[string, OsQuery]>([
    ['status = A AND version = 1', { bool: { filter: [{ term: { status: 'A' } }, { term: { version: 1 } }] } }],
    [
      'status = A OR status = B AND version = 1',
      { bool: { should: [{ term: { status: 'A' } }, { bool: { filter: [{ term: { status: 'B' } }, { term: { version: 1 } }] } }], minimum_should_match: 1 } },
    ],
    [
      '(status = A OR status = B) AND version = 1',
      { bool: { filter: [{ bool: { should: [{ term: { status: 'A' } }, { term: { status: 'B' } }], minimum_should_match: 1 } }, { term: { version: 1 } }] } },
    ],
  ])('%s', (query, expected) => {
    expect(filterOf(query)).toEqual(expected);
  });
});

describe('compileOpenSearch: the whole search', () => {
  it('matches everything, ordered by id, when nothing is asked', () => {
    expect(compileOpenSearch(request(WORKFLOW_INDEX, {}), WORKFLOW_OPENSEARCH_SPEC)).toEqual({
      query: { match_all: {} },
      sort: [{ workflowId: { order: 'asc', missing: '_last', unmapped_type: 'keyword' } }],
    });
  });

  it('passes free text as a value of simple_query_string, next to the filter', () => {
    const text = 'status:RUNNING AND "a \\" b" /.*/ ~2 {"x":1}';
    expect(compileOpenSearch(request(TASK_INDEX, { query: 'taskType = HTTP', freeText: text }), TASK_OPENSEARCH_SPEC).query).toEqual({
      bool: {
        filter: [
          { term: { taskType: 'HTTP' } },
          { simple_query_string: { query: text, default_operator: 'and', flags: 'AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|ESCAPE|WHITESPACE', lenient: true } },
        ],
      },
    });
  });

  it('orders by the sort keys, absent last, then the id', () => {
    expect(compileOpenSearch(request(TASK_INDEX, { sort: 'scheduledTime:DESC|queueWaitTime|taskType:asc' }), TASK_OPENSEARCH_SPEC).sort).toEqual([
      { scheduledTime: { order: 'desc', missing: '_last', unmapped_type: 'date' } },
      { queueWaitTime: { order: 'asc', missing: '_last', unmapped_type: 'long' } },
      { taskType: { order: 'asc', missing: '_last', unmapped_type: 'keyword' } },
      { taskId: { order: 'asc', missing: '_last', unmapped_type: 'keyword' } },
    ]);
    expect(compileOpenSearch(request(TASK_INDEX, { sort: 'taskId:DESC' }), TASK_OPENSEARCH_SPEC).sort).toEqual([
      { taskId: { order: 'desc', missing: '_last', unmapped_type: 'keyword' } },
    ]);
  });

  it('follows the spec where fields live and which fields free text searches', () => {
    const spec: OpenSearchSpec<typeof WORKFLOW_INDEX.fields> = {
      index: WORKFLOW_INDEX,
      fieldPaths: { status: 'summary.status', workflowId: 'summary.workflowId' },
      freeTextFields: ['input', 'output'],
    };
    expect(compileOpenSearch(request(WORKFLOW_INDEX, { query: 'status IS NULL', freeText: 'x', sort: 'status' }), spec)).toEqual({
      query: {
        bool: {
          filter: [
            { bool: { must_not: [{ exists: { field: 'summary.status' } }] } },
            { simple_query_string: { query: 'x', fields: ['input', 'output'], default_operator: 'and', flags: 'AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|ESCAPE|WHITESPACE', lenient: true } },
          ],
        },
      },
      sort: [
        { 'summary.status': { order: 'asc', missing: '_last', unmapped_type: 'keyword' } },
        { 'summary.workflowId': { order: 'asc', missing: '_last', unmapped_type: 'keyword' } },
      ],
    });
  });

  it('keeps hostile values as JSON values', () => {
    const q = filterOf(`correlationId = "\\" OR *:* OR \\"" AND workflowType IN ('{"bool":{}}', x)`);
    expect(q).toEqual({ bool: { filter: [{ term: { correlationId: '" OR *:* OR "' } }, { terms: { workflowType: ['{"bool":{}}', 'x'] } }] } });
  });

  it('refuses a spec of another index', () => {
    expect(() => compileOpenSearch(request(TASK_INDEX, {}) as never, WORKFLOW_OPENSEARCH_SPEC)).toThrow('a task search compiled with the workflow OpenSearch spec');
  });
});

describe('openSearchMapping', () => {
  it('maps every workflow search field as the compiler queries it', () => {
    expect(openSearchMapping(WORKFLOW_OPENSEARCH_SPEC)).toEqual({
      properties: {
        workflowId: { type: 'keyword' },
        workflowType: { type: 'keyword' },
        version: { type: 'long' },
        correlationId: { type: 'keyword' },
        status: { type: 'keyword' },
        startTime: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
        updateTime: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
        endTime: { type: 'date', format: 'strict_date_optional_time||epoch_millis' },
        reasonForIncompletion: { type: 'keyword' },
        executionTime: { type: 'long' },
        failedReferenceTaskNames: { type: 'keyword' },
        priority: { type: 'long' },
        parentWorkflowId: { type: 'keyword' },
      },
    });
  });

  it('covers every task search field', () => {
    expect(Object.keys(openSearchMapping(TASK_OPENSEARCH_SPEC).properties)).toEqual(Object.keys(TASK_INDEX.fields));
  });
});
