import { TASK_INDEX, WORKFLOW_INDEX } from '../fields/search-fields';
import { request } from '../testing/requests';
import { TASK_SQL_SPEC, WORKFLOW_SQL_SPEC } from './sql-columns';
import { compileSql, likePrefix } from './sql.compiler';

const ID = '8f0e7d1c-2b3a-4c5d-9e8f-0123456789ab';
const wf = (query: string) => compileSql(request(WORKFLOW_INDEX, query), WORKFLOW_SQL_SPEC);
const task = (query: string) => compileSql(request(TASK_INDEX, query), TASK_SQL_SPEC);
const END = `NULLIF((doc->>'endTime')::bigint, 0)`;
const FRTN = `ARRAY(SELECT jsonb_array_elements_text(COALESCE(doc->'failedReferenceTaskNames', '[]'::jsonb)))`;

describe('compileSql: every operator on every kind of column', () => {
  it.each([
    // text column
    ['status = RUNNING', 'status = $1::text', ['RUNNING']],
    ['status != RUNNING', 'status IS DISTINCT FROM $1::text', ['RUNNING']],
    ['status IN (RUNNING, PAUSED)', 'status = ANY($1::text[])', [['RUNNING', 'PAUSED']]],
    ['workflowType STARTS_WITH order_', `workflow_type LIKE $1::text ESCAPE '\\'`, ['order\\_%']],
    ['correlationId IS NULL', 'correlation_id IS NULL', []],
    ['correlationId IS NOT NULL', 'correlation_id IS NOT NULL', []],
    ["reasonForIncompletion = 'boom'", `(doc->>'reasonForIncompletion') = $1::text`, ['boom']],
    // uuid column
    [`workflowId = ${ID.toUpperCase()}`, 'workflow_id = $1::uuid', [ID]],
    [`workflowId != ${ID}`, 'workflow_id IS DISTINCT FROM $1::uuid', [ID]],
    [`workflowId IN (${ID}, not-an-id)`, 'workflow_id = ANY($1::uuid[])', [[ID]]],
    ['workflowId = not-an-id', 'FALSE', []],
    ['workflowId != not-an-id', 'TRUE', []],
    ['workflowId IN (x, y)', 'FALSE', []],
    ['workflowId STARTS_WITH 8F0E', `workflow_id::text LIKE $1::text ESCAPE '\\'`, ['8f0e%']],
    // timestamptz column: epoch ms in, ISO out
    ['startTime > 1700000000000', 'start_time > $1::timestamptz', ['2023-11-14T22:13:20.000Z']],
    ['startTime < 2024-01-31T10:00:00+01:00', 'start_time < $1::timestamptz', ['2024-01-31T09:00:00.000Z']],
    ['startTime = 0', 'start_time = $1::timestamptz', ['1970-01-01T00:00:00.000Z']],
    ['updateTime BETWEEN 1700000000000 AND 2024-01-01', 'update_time BETWEEN $1::timestamptz AND $2::timestamptz', ['2023-11-14T22:13:20.000Z', '2024-01-01T00:00:00.000Z']],
    ['startTime IN (0, 1000)', 'start_time = ANY($1::timestamptz[])', [['1970-01-01T00:00:00.000Z', '1970-01-01T00:00:01.000Z']]],
    ['startTime != 0', 'start_time IS DISTINCT FROM $1::timestamptz', ['1970-01-01T00:00:00.000Z']],
    // epoch-ms expression
    ['endTime > 1700000000000', `${END} > $1::bigint`, [1_700_000_000_000]],
    ['endTime IS NULL', `${END} IS NULL`, []],
    ['endTime BETWEEN 1 AND 2', `${END} BETWEEN $1::bigint AND $2::bigint`, [1, 2]],
    // integer expression
    ['version = 2', `(doc->>'workflowVersion')::integer = $1::bigint`, [2]],
    ["version IN (1, '2')", `(doc->>'workflowVersion')::integer = ANY($1::bigint[])`, [[1, 2]]],
    ['priority < 5', `(doc->>'priority')::integer < $1::bigint`, [5]],
    ['executionTime > 60000', `(${END} - (doc->>'startTime')::bigint) > $1::bigint`, [60_000]],
    // text[] expression
    ['failedReferenceTaskNames = t1', `${FRTN} @> $1::text[]`, [['t1']]],
    ['failedReferenceTaskNames != t1', `NOT COALESCE(${FRTN} @> $1::text[], FALSE)`, [['t1']]],
    ['failedReferenceTaskNames IN (t1, t2)', `${FRTN} && $1::text[]`, [['t1', 't2']]],
    ['failedReferenceTaskNames IS NULL', `(${FRTN} IS NULL OR cardinality(${FRTN}) = 0)`, []],
    ['failedReferenceTaskNames IS NOT NULL', `cardinality(${FRTN}) > 0`, []],
    ['failedReferenceTaskNames STARTS_WITH http', `EXISTS (SELECT 1 FROM unnest(${FRTN}) AS e(v) WHERE e.v LIKE $1::text ESCAPE '\\')`, ['http%']],
  ])('%s', (query, where, params) => {
    expect(wf(query)).toMatchObject({ where, params });
  });
});

describe('compileSql: AND, OR and parentheses', () => {
  it.each([
    ['status = A AND version = 1', `(status = $1::text AND (doc->>'workflowVersion')::integer = $2::bigint)`],
    ['status = A OR status = B AND version = 1', `(status = $1::text OR (status = $2::text AND (doc->>'workflowVersion')::integer = $3::bigint))`],
    ['(status = A OR status = B) AND version = 1', `((status = $1::text OR status = $2::text) AND (doc->>'workflowVersion')::integer = $3::bigint)`],
    ['status = A AND (workflowId = x OR correlationId IS NULL)', '(status = $1::text AND (FALSE OR correlation_id IS NULL))'],
  ])('%s', (query, where) => {
    expect(wf(query).where).toBe(where);
  });

  it('numbers parameters left to right', () => {
    expect(wf('status IN (A, B) AND startTime BETWEEN 1 AND 2 AND workflowType = w').params).toEqual([
      ['A', 'B'],
      '1970-01-01T00:00:00.001Z',
      '1970-01-01T00:00:00.002Z',
      'w',
    ]);
  });
});

describe('compileSql: free text, sort, the whole statement', () => {
  it('matches everything, ordered by id, when nothing is asked', () => {
    expect(compileSql(request(WORKFLOW_INDEX, {}), WORKFLOW_SQL_SPEC)).toEqual({ where: 'TRUE', params: [], orderBy: 'workflow_id ASC' });
  });

  it('searches the document for free text, bound', () => {
    expect(compileSql(request(WORKFLOW_INDEX, { query: 'status = RUNNING', freeText: '"order 42" -test' }), WORKFLOW_SQL_SPEC)).toEqual({
      where: `status = $1::text AND jsonb_to_tsvector('simple', doc, '["string"]') @@ websearch_to_tsquery('simple', $2::text)`,
      params: ['RUNNING', '"order 42" -test'],
      orderBy: 'workflow_id ASC',
    });
  });

  it('orders by the sort keys, absent values last, then the id', () => {
    expect(compileSql(request(WORKFLOW_INDEX, { sort: 'startTime:DESC|endTime|version:ASC' }), WORKFLOW_SQL_SPEC).orderBy).toBe(
      `start_time DESC NULLS LAST, ${END} ASC NULLS LAST, (doc->>'workflowVersion')::integer ASC NULLS LAST, workflow_id ASC`,
    );
  });

  it('adds no tiebreaker when the id is a sort key already', () => {
    expect(compileSql(request(TASK_INDEX, { sort: 'taskId:DESC' }), TASK_SQL_SPEC).orderBy).toBe('task_id DESC NULLS LAST');
  });

  it('numbers from firstParam, for a statement that binds others first', () => {
    expect(compileSql(request(TASK_INDEX, { query: 'taskType = HTTP AND queueWaitTime > 5', freeText: 'x' }), TASK_SQL_SPEC, { firstParam: 3 })).toMatchObject({
      where: `(task_type = $3::text AND (doc->>'queueWaitTime')::bigint > $4::bigint) AND jsonb_to_tsvector('simple', doc, '["string"]') @@ websearch_to_tsquery('simple', $5::text)`,
      params: ['HTTP', 5, 'x'],
    });
  });

  it.each([
    ['taskDefName = http', `(doc->>'taskDefName') = $1::text`, ['http']],
    [`workflowId = ${ID}`, 'workflow_id = $1::uuid', [ID]],
    ['scheduledTime > 1000', `NULLIF((doc->>'scheduledTime')::bigint, 0) > $1::bigint`, [1000]],
    ['updateTime < 1000', 'update_time < $1::timestamptz', ['1970-01-01T00:00:01.000Z']],
    ['executionTime > 10', `(NULLIF((doc->>'endTime')::bigint, 0) - NULLIF((doc->>'startTime')::bigint, 0)) > $1::bigint`, [10]],
  ])('task search: %s', (query, where, params) => {
    expect(task(query)).toMatchObject({ where, params });
  });

  it('refuses a spec of another index', () => {
    expect(() => compileSql(request(TASK_INDEX, {}) as never, WORKFLOW_SQL_SPEC)).toThrow('a task search compiled with the workflow SQL spec');
  });
});

describe('compileSql: user values only ever travel as parameters', () => {
  it.each([
    [`status = "'; DROP TABLE search_workflow; --"`, 'status = $1::text', ["'; DROP TABLE search_workflow; --"]],
    [`correlationId = "x' OR '1'='1"`, 'correlation_id = $1::text', ["x' OR '1'='1"]],
    [`correlationId = "$2 OR TRUE"`, 'correlation_id = $1::text', ['$2 OR TRUE']],
    [String.raw`reasonForIncompletion = 'a\'); DELETE FROM task; --'`, `(doc->>'reasonForIncompletion') = $1::text`, ["a'); DELETE FROM task; --"]],
    [`correlationId STARTS_WITH "a%_\\\\b"`, `correlation_id LIKE $1::text ESCAPE '\\'`, ['a\\%\\_\\\\b%']],
    [`workflowType IN ("a'b", 'c"d', e--f)`, 'workflow_type = ANY($1::text[])', [[`a'b`, 'c"d', 'e--f']]],
    [`correlationId = "😀\u202eevil"`, 'correlation_id = $1::text', ['😀\u202eevil']],
    [`workflowId = "'; DROP TABLE x; --"`, 'FALSE', []],
  ])('%s', (query, where, params) => {
    expect(wf(query)).toMatchObject({ where, params });
  });

  it('escapes LIKE wildcards in a prefix', () => {
    expect(likePrefix('50%_off\\')).toBe('50\\%\\_off\\\\%');
    expect(likePrefix('')).toBe('%');
  });
});
