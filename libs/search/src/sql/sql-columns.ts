import {
  TASK_INDEX,
  WORKFLOW_INDEX,
  type FieldCatalog,
  type FieldType,
  type SearchIndex,
  type TASK_SEARCH_FIELDS,
  type WORKFLOW_SEARCH_FIELDS,
} from '../fields/search-fields';

/**
 * How a search field is stored in Postgres, which decides how a value is bound and compared:
 * - `text`: a text/varchar column or expression;
 * - `uuid`: a uuid column (a value that is not a UUID matches nothing rather than failing the cast);
 * - `timestamptz`: an instant, bound from epoch ms as an ISO string;
 * - `epochMs`: epoch milliseconds in a bigint (e.g. read out of the JSON document);
 * - `integer`: an int/bigint;
 * - `textArray`: a text[] (matches when any element does).
 */
export type SqlColumnType = 'text' | 'uuid' | 'timestamptz' | 'epochMs' | 'integer' | 'textArray';

/** Which storage each field type may have: the spec below does not compile with a mismatch. */
export interface SqlColumnTypesFor {
  keyword: 'text' | 'uuid';
  keywordList: 'textArray';
  time: 'timestamptz' | 'epochMs';
  integer: 'integer';
}

export interface SqlColumn<T extends FieldType = FieldType> {
  /** A column name or an SQL expression over the row — trusted text from code, never from a request. */
  readonly sql: string;
  readonly type: SqlColumnTypesFor[T];
}

export interface SqlSearchSpec<C extends FieldCatalog = FieldCatalog> {
  readonly index: SearchIndex<C>;
  readonly columns: { readonly [K in keyof C]: SqlColumn<C[K]> };
  /** freeText: `vector @@ websearch_to_tsquery(config, text)`. `config` is a text search configuration name. */
  readonly textSearch: { readonly vector: string; readonly config: string };
}

const num = (path: string, cast: 'bigint' | 'integer'): string => `(doc->>'${path}')::${cast}`;
/** Conductor writes 0 for a time not reached yet; search treats it as absent (IS NULL, no range match). */
const time = (path: string): string => `NULLIF(${num(path, 'bigint')}, 0)`;

/**
 * Workflow search over today's `search_workflow` (migration 1763900000000: workflow_id uuid, version,
 * workflow_type, status, correlation_id, start_time, update_time, doc jsonb = the workflow less its tasks
 * and definition). What has no column is read out of `doc`, which is correct but cannot use an index.
 *
 * Columns the indexer should add for these to be indexable (then point the entries here at them):
 *   workflow_version integer, end_time timestamptz, reason_for_incompletion text,
 *   failed_reference_task_names text[] (GIN), priority integer, parent_workflow_id uuid,
 *   execution_time bigint, and
 *   search_vector tsvector GENERATED ALWAYS AS (jsonb_to_tsvector('simple', doc, '["string"]')) STORED (GIN)
 * plus btree indexes on what lists sort by (start_time, update_time, end_time, each with workflow_id).
 */
export const WORKFLOW_SQL_SPEC: SqlSearchSpec<typeof WORKFLOW_SEARCH_FIELDS> = {
  index: WORKFLOW_INDEX,
  columns: {
    workflowId: { sql: 'workflow_id', type: 'uuid' },
    workflowType: { sql: 'workflow_type', type: 'text' },
    version: { sql: num('workflowVersion', 'integer'), type: 'integer' },
    correlationId: { sql: 'correlation_id', type: 'text' },
    status: { sql: 'status', type: 'text' },
    startTime: { sql: 'start_time', type: 'timestamptz' },
    updateTime: { sql: 'update_time', type: 'timestamptz' },
    endTime: { sql: time('endTime'), type: 'epochMs' },
    reasonForIncompletion: { sql: `(doc->>'reasonForIncompletion')`, type: 'text' },
    // Absent while the workflow runs (Conductor's summary says 0).
    executionTime: { sql: `(${time('endTime')} - ${num('startTime', 'bigint')})`, type: 'integer' },
    failedReferenceTaskNames: {
      sql: `ARRAY(SELECT jsonb_array_elements_text(COALESCE(doc->'failedReferenceTaskNames', '[]'::jsonb)))`,
      type: 'textArray',
    },
    priority: { sql: num('priority', 'integer'), type: 'integer' },
    parentWorkflowId: { sql: `(doc->>'parentWorkflowId')`, type: 'text' },
  },
  textSearch: { vector: `jsonb_to_tsvector('simple', doc, '["string"]')`, config: 'simple' },
};

/**
 * Task search over today's `search_task` (task_id uuid, version, workflow_id uuid, task_type, status,
 * update_time, doc jsonb = the task less its workflowTask and taskDefinition).
 *
 * Columns the indexer should add: task_def_name text, workflow_type text, correlation_id text,
 * scheduled_time / start_time / end_time timestamptz, reason_for_incompletion text, execution_time bigint,
 * queue_wait_time bigint, workflow_priority integer, and the same generated search_vector (GIN).
 */
export const TASK_SQL_SPEC: SqlSearchSpec<typeof TASK_SEARCH_FIELDS> = {
  index: TASK_INDEX,
  columns: {
    taskId: { sql: 'task_id', type: 'uuid' },
    taskType: { sql: 'task_type', type: 'text' },
    taskDefName: { sql: `(doc->>'taskDefName')`, type: 'text' },
    status: { sql: 'status', type: 'text' },
    workflowId: { sql: 'workflow_id', type: 'uuid' },
    workflowType: { sql: `(doc->>'workflowType')`, type: 'text' },
    correlationId: { sql: `(doc->>'correlationId')`, type: 'text' },
    scheduledTime: { sql: time('scheduledTime'), type: 'epochMs' },
    startTime: { sql: time('startTime'), type: 'epochMs' },
    updateTime: { sql: 'update_time', type: 'timestamptz' },
    endTime: { sql: time('endTime'), type: 'epochMs' },
    reasonForIncompletion: { sql: `(doc->>'reasonForIncompletion')`, type: 'text' },
    executionTime: { sql: `(${time('endTime')} - ${time('startTime')})`, type: 'integer' },
    queueWaitTime: { sql: num('queueWaitTime', 'bigint'), type: 'integer' },
    workflowPriority: { sql: num('workflowPriority', 'integer'), type: 'integer' },
  },
  textSearch: { vector: `jsonb_to_tsvector('simple', doc, '["string"]')`, config: 'simple' },
};
