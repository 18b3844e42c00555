/**
 * Bounds on what one search request may ask, so a hostile or runaway request costs a bounded amount of
 * parsing and a bounded statement. Conductor sets none (its recursive-descent parser recurses once per
 * AND/OR, so a long enough query overflows the stack). The defaults fit what Conductor's UI and SDKs send
 * (a few clauses, an IN list of a page of ids) with room to spare; a GET's query string is capped near
 * 16 KiB by Node's header limit anyway.
 */
export interface SearchLimits {
  /** Characters in `query`. */
  readonly maxQueryLength: number;
  /** Nesting of parentheses. */
  readonly maxDepth: number;
  /** Comparisons (`field op value`) in one query. */
  readonly maxPredicates: number;
  /** Values in one `IN (…)` list. */
  readonly maxListValues: number;
  /** Characters in `freeText`. */
  readonly maxFreeTextLength: number;
  /** Keys in `sort`. */
  readonly maxSortKeys: number;
}

export const DEFAULT_SEARCH_LIMITS: SearchLimits = {
  maxQueryLength: 16_384,
  maxDepth: 32,
  maxPredicates: 256,
  maxListValues: 1_000,
  maxFreeTextLength: 1_024,
  maxSortKeys: 8,
};
