import { FieldType, type FieldCatalog } from '../fields/search-fields';
import type { Scalar } from '../fields/field-values';
import type { FilterPredicate, SearchFilter } from '../query/query.validator';
import type { SearchRequest } from '../search-request';
import type { OsQuery, OsSort } from './opensearch-dsl';
import { fieldPath, type OpenSearchSpec } from './opensearch-fields';

export interface OpenSearchSearch {
  readonly query: OsQuery;
  /** Always ends with the index's id, so paging is stable. */
  readonly sort: readonly OsSort[];
}

/**
 * simple_query_string's operators that cannot blow up: no fuzzy, slop or near (costly), and never a parse
 * error on what the user typed.
 */
const FREE_TEXT_FLAGS = 'AND|OR|NOT|PHRASE|PREFIX|PRECEDENCE|ESCAPE|WHITESPACE';

/**
 * Compiles a checked search request to OpenSearch's query DSL. Conductor's builder (`NameValue.getFilterBuilder`)
 * writes `=` and `!=` as `query_string` text (`name:"value"` — a value holding a quote breaks it), IS NULL
 * and IS NOT NULL inverted (its IS NULL matches documents that have the field), and joins with
 * `must`/`should`; Baton writes:
 *   =  term (time: a one-instant range)      != bool.must_not of the same
 *   <, >  range lt / gt                       BETWEEN  range gte / lte (inclusive, as Conductor's)
 *   IN  terms (time: should of ranges)       STARTS_WITH  prefix
 *   IS NULL  must_not exists                 IS NOT NULL  exists
 *   AND  bool.filter                         OR  bool.should, minimum_should_match 1
 *   freeText  simple_query_string (default operator AND, lenient), in the filter too
 * Times are epoch ms with `format: epoch_millis`. Everything is in filter context: results are ordered by
 * the sort keys (then the id), never by relevance, so both backends order alike.
 */
export function compileOpenSearch<C extends FieldCatalog>(request: SearchRequest<C>, spec: OpenSearchSpec<C>): OpenSearchSearch {
  if (request.index.name !== spec.index.name) throw new Error(`a ${request.index.name} search compiled with the ${spec.index.name} OpenSearch spec`);
  const parts: OsQuery[] = [];
  if (request.filter) parts.push(filterQuery(request.filter, spec));
  if (request.freeText !== null) parts.push(freeTextQuery(request.freeText, spec));
  return { query: parts.length ? { bool: { filter: parts } } : { match_all: {} }, sort: sortOf(request, spec) };
}

function filterQuery<C extends FieldCatalog>(filter: SearchFilter, spec: OpenSearchSpec<C>): OsQuery {
  switch (filter.kind) {
    case 'and':
      return { bool: { filter: filter.clauses.map((c) => filterQuery(c, spec)) } };
    case 'or':
      return { bool: { should: filter.clauses.map((c) => filterQuery(c, spec)), minimum_should_match: 1 } };
    default:
      return predicateQuery(filter, fieldPath(spec, filter.field.name));
  }
}

const not = (q: OsQuery): OsQuery => ({ bool: { must_not: [q] } });

function predicateQuery(p: FilterPredicate, path: string): OsQuery {
  const isTime = p.field.type === FieldType.Time;
  const fmt = isTime ? ({ format: 'epoch_millis' } as const) : {};
  const equal = (v: Scalar): OsQuery => (isTime ? { range: { [path]: { gte: v, lte: v, ...fmt } } } : { term: { [path]: v } });
  switch (p.kind) {
    case 'compare':
      switch (p.op) {
        case '=':
          return equal(p.value);
        case '!=':
          return not(equal(p.value));
        case '<':
          return { range: { [path]: { lt: p.value, ...fmt } } };
        case '>':
          return { range: { [path]: { gt: p.value, ...fmt } } };
      }
      break;
    case 'in':
      return isTime ? { bool: { should: p.values.map(equal), minimum_should_match: 1 } } : { terms: { [path]: p.values } };
    case 'between':
      return { range: { [path]: { gte: p.low, lte: p.high, ...fmt } } };
    case 'isNull':
      return p.negated ? { exists: { field: path } } : not({ exists: { field: path } });
    case 'startsWith':
      return { prefix: { [path]: { value: String(p.value) } } };
  }
}

function freeTextQuery<C extends FieldCatalog>(text: string, spec: OpenSearchSpec<C>): OsQuery {
  const fields = spec.freeTextFields ? { fields: spec.freeTextFields } : {};
  return { simple_query_string: { query: text, ...fields, default_operator: 'and', flags: FREE_TEXT_FLAGS, lenient: true } };
}

const UNMAPPED = { keyword: 'keyword', keywordList: 'keyword', time: 'date', integer: 'long' } as const satisfies Record<FieldType, string>;

function sortOf<C extends FieldCatalog>(request: SearchRequest<C>, spec: OpenSearchSpec<C>): OsSort[] {
  const key = (name: string, type: FieldType, order: 'asc' | 'desc'): OsSort => ({
    [fieldPath(spec, name)]: { order, missing: '_last', unmapped_type: UNMAPPED[type] },
  });
  const sort = request.sort.map((k) => key(k.field.name, k.field.type, k.direction === 'ASC' ? 'asc' : 'desc'));
  const id = spec.index.idField;
  if (!request.sort.some((k) => k.field.name === id)) sort.push(key(id, spec.index.fields[id]!, 'asc'));
  return sort;
}
