/**
 * The slice of OpenSearch's query DSL the search compiler emits: plain JSON, sent as the `query` and
 * `sort` of a `_search` body. Values from a request only ever appear as JSON values, never inside a
 * query string that OpenSearch would parse again.
 */
export type OsScalar = string | number;

export interface OsRange {
  readonly gt?: OsScalar;
  readonly lt?: OsScalar;
  readonly gte?: OsScalar;
  readonly lte?: OsScalar;
  /** `epoch_millis` on time fields, so a number is never read as a year. */
  readonly format?: 'epoch_millis';
}

export interface OsBool {
  readonly filter?: readonly OsQuery[];
  readonly should?: readonly OsQuery[];
  readonly must_not?: readonly OsQuery[];
  readonly minimum_should_match?: number;
}

export interface OsSimpleQueryString {
  readonly query: string;
  readonly fields?: readonly string[];
  readonly default_operator: 'and' | 'or';
  readonly flags: string;
  readonly lenient: boolean;
}

export type OsQuery =
  | { readonly match_all: Record<string, never> }
  | { readonly bool: OsBool }
  | { readonly term: Readonly<Record<string, OsScalar>> }
  | { readonly terms: Readonly<Record<string, readonly OsScalar[]>> }
  | { readonly range: Readonly<Record<string, OsRange>> }
  | { readonly prefix: Readonly<Record<string, { readonly value: string }>> }
  | { readonly exists: { readonly field: string } }
  | { readonly simple_query_string: OsSimpleQueryString };

export interface OsSortField {
  readonly order: 'asc' | 'desc';
  /** Absent values last in both directions (OpenSearch's default, stated so Postgres can match it). */
  readonly missing: '_last';
  /** Lets a sort on a field no document has yet (a fresh index) succeed instead of failing. */
  readonly unmapped_type: 'keyword' | 'date' | 'long';
}

export type OsSort = Readonly<Record<string, OsSortField>>;
