import type { OperatorName } from '../query/query.ast';

/**
 * What a searchable field holds, and so which operators apply to it and how its values are read. The
 * index mappings of Conductor's ES/OpenSearch backends (`mappings_docType_workflow.json`, the task
 * mapping) give the types: keyword, date (`strict_date_optional_time||epoch_millis`), long.
 */
export const FieldType = {
  /** An exact string (ids, names, statuses): a `keyword` in OpenSearch, text or uuid in Postgres. */
  Keyword: 'keyword',
  /** Several exact strings (failedReferenceTaskNames): matches when any element does. */
  KeywordList: 'keywordList',
  /** An instant: compared as epoch milliseconds; written as epoch ms or ISO-8601. */
  Time: 'time',
  /** A whole number (version, priority, durations in ms). */
  Integer: 'integer',
} as const;
export type FieldType = (typeof FieldType)[keyof typeof FieldType];

export interface FieldTypeTraits {
  readonly operators: readonly OperatorName[];
  readonly sortable: boolean;
  /** For messages: "workflowType is a keyword". */
  readonly noun: string;
}

const EXACT: readonly OperatorName[] = ['=', '!=', 'IN', 'STARTS_WITH', 'IS NULL', 'IS NOT NULL'];
const ORDERED: readonly OperatorName[] = ['=', '!=', '<', '>', 'BETWEEN', 'IN', 'IS NULL', 'IS NOT NULL'];

/**
 * Conductor applies any operator to any field and lets the backend make of it what it will (a `<` on a
 * keyword compares strings in the index's byte order; STARTS_WITH on a date fails inside Elasticsearch).
 * Baton allows an operator only where both backends agree on its meaning, and says so with a 400.
 */
export const FIELD_TYPE_TRAITS = {
  keyword: { operators: EXACT, sortable: true, noun: 'a keyword' },
  keywordList: { operators: EXACT, sortable: false, noun: 'a list of keywords' },
  time: { operators: ORDERED, sortable: true, noun: 'a time (epoch milliseconds or ISO-8601)' },
  integer: { operators: ORDERED, sortable: true, noun: 'an integer' },
} as const satisfies Record<FieldType, FieldTypeTraits>;

export type FieldCatalog = Readonly<Record<string, FieldType>>;

/** One searchable index: its fields, and the field that identifies a document (the sort tiebreaker). */
export interface SearchIndex<C extends FieldCatalog = FieldCatalog> {
  readonly name: string;
  readonly fields: C;
  /** One of `fields` (`searchIndex` checks it); a plain string so that every index is a `SearchIndex`. */
  readonly idField: string;
}

export const searchIndex = <C extends FieldCatalog>(name: string, fields: C, idField: keyof C & string): SearchIndex<C> => ({ name, fields, idField });

/**
 * Workflow search fields: Conductor's `WorkflowSummary` (what its ES index holds, §1.11) less what Baton's
 * workflows do not carry (`event`) and what only free text searches (`input`, `output`: stringified JSON
 * in Conductor's summary). `parentWorkflowId` is in Conductor's index mapping and serves `topLevelOnly`.
 */
export const WORKFLOW_SEARCH_FIELDS = {
  workflowId: FieldType.Keyword,
  workflowType: FieldType.Keyword,
  version: FieldType.Integer,
  correlationId: FieldType.Keyword,
  status: FieldType.Keyword,
  startTime: FieldType.Time,
  updateTime: FieldType.Time,
  endTime: FieldType.Time,
  reasonForIncompletion: FieldType.Keyword,
  executionTime: FieldType.Integer,
  failedReferenceTaskNames: FieldType.KeywordList,
  priority: FieldType.Integer,
  parentWorkflowId: FieldType.Keyword,
} as const satisfies FieldCatalog;
export type WorkflowSearchField = keyof typeof WORKFLOW_SEARCH_FIELDS;

/** Task search fields: Conductor's `TaskSummary` less `input`/`output` (free text) and the external-storage paths. */
export const TASK_SEARCH_FIELDS = {
  taskId: FieldType.Keyword,
  taskType: FieldType.Keyword,
  taskDefName: FieldType.Keyword,
  status: FieldType.Keyword,
  workflowId: FieldType.Keyword,
  workflowType: FieldType.Keyword,
  correlationId: FieldType.Keyword,
  scheduledTime: FieldType.Time,
  startTime: FieldType.Time,
  updateTime: FieldType.Time,
  endTime: FieldType.Time,
  reasonForIncompletion: FieldType.Keyword,
  executionTime: FieldType.Integer,
  queueWaitTime: FieldType.Integer,
  workflowPriority: FieldType.Integer,
} as const satisfies FieldCatalog;
export type TaskSearchField = keyof typeof TASK_SEARCH_FIELDS;

export type WorkflowIndex = SearchIndex<typeof WORKFLOW_SEARCH_FIELDS>;
export type TaskIndex = SearchIndex<typeof TASK_SEARCH_FIELDS>;

export const WORKFLOW_INDEX: WorkflowIndex = searchIndex('workflow', WORKFLOW_SEARCH_FIELDS, 'workflowId');
export const TASK_INDEX: TaskIndex = searchIndex('task', TASK_SEARCH_FIELDS, 'taskId');

/** The field's type, or undefined when the index has no such field (own keys only: `__proto__` is no field). */
export function fieldType<C extends FieldCatalog>(index: SearchIndex<C>, name: string): FieldType | undefined {
  return Object.prototype.hasOwnProperty.call(index.fields, name) ? index.fields[name] : undefined;
}

/** "unknown field 'x'…" with the list of what the index has, and the right spelling when only the case is off. */
export function unknownFieldMessage<C extends FieldCatalog>(index: SearchIndex<C>, name: string, what: string): string {
  const names = Object.keys(index.fields);
  const near = names.find((n) => n.toLowerCase() === name.toLowerCase());
  const hint = near ? ` (did you mean '${near}'? field names are case-sensitive)` : '';
  return `unknown ${what} '${name.length > 40 ? `${name.slice(0, 40)}…` : name}'${hint}: ${index.name} search fields are ${names.join(', ')}`;
}
