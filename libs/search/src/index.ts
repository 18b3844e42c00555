/**
 * Conductor's search language (`query`, `freeText`, `sort` of `/api/workflow/search` and `/api/tasks/search`):
 * a parser to a typed tree, a checker against each index's fields, and two compilers — parameterized SQL
 * for Postgres (embedded mode) and the query DSL for OpenSearch — that give a request the same meaning.
 * Pure: no I/O, no framework.
 */
export * from './search-error';
export * from './search-limits';
export * from './query/query.ast';
export { parseQuery } from './query/query.parser';
export { validateQuery, type FilterPredicate, type SearchFilter, type TypedField } from './query/query.validator';
export * from './fields/search-fields';
export { coerceValue, parseIsoTime, MAX_TIME_MS, MIN_TIME_MS, type Scalar } from './fields/field-values';
export { parseSort, type SortDirection, type SortKey } from './sort/sort.parser';
export { parseFreeText } from './free-text';
export * from './search-request';
export * from './sql/sql-columns';
export { compileSql, likePrefix, type SqlCompileOptions, type SqlSearch } from './sql/sql.compiler';
export * from './opensearch/opensearch-dsl';
export * from './opensearch/opensearch-fields';
export { compileOpenSearch, type OpenSearchSearch } from './opensearch/opensearch.compiler';
