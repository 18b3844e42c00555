import type { FieldCatalog, SearchIndex } from './fields/search-fields';
import { parseFreeText } from './free-text';
import { parseQuery } from './query/query.parser';
import { validateQuery, type SearchFilter } from './query/query.validator';
import { failed, parsed, type Parsed, type SearchError } from './search-error';
import { DEFAULT_SEARCH_LIMITS, type SearchLimits } from './search-limits';
import { parseSort, type SortKey } from './sort/sort.parser';

/** The search parameters as they arrive (`GET /api/workflow/search?query=…&freeText=…&sort=…`). */
export interface SearchRequestInput {
  readonly query?: string | null;
  readonly freeText?: string | null;
  readonly sort?: string | null;
}

/** A search request checked against one index, ready for either compiler. */
export interface SearchRequest<C extends FieldCatalog = FieldCatalog> {
  readonly index: SearchIndex<C>;
  /** null: no condition (an empty query). */
  readonly filter: SearchFilter | null;
  /** null: no text condition (empty or `*`). */
  readonly freeText: string | null;
  readonly sort: readonly SortKey[];
}

/**
 * Parses and checks all three parameters against an index, reporting the problems of all of them at once
 * (a query's syntax error stops its own checks, not the others'). `start`/`size` are the caller's: they
 * are plain integers, not part of the language.
 */
export function parseSearchRequest<C extends FieldCatalog>(
  index: SearchIndex<C>,
  input: SearchRequestInput,
  limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
): Parsed<SearchRequest<C>> {
  const errors: SearchError[] = [];
  const collect = <T>(result: Parsed<T>, otherwise: T): T => {
    if (result.ok) return result.value;
    errors.push(...result.errors);
    return otherwise;
  };
  const tree = collect(parseQuery(input.query ?? '', limits), null);
  const filter = tree ? collect(validateQuery(tree, index), null) : null;
  const freeText = collect(parseFreeText(input.freeText ?? '', limits), null);
  const sort = collect(parseSort(input.sort ?? '', index, limits), []);
  return errors.length ? failed(errors) : parsed({ index, filter, freeText, sort });
}
