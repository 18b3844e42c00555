import { failed, parsed, type Parsed } from './search-error';
import { DEFAULT_SEARCH_LIMITS, type SearchLimits } from './search-limits';
import { checkText } from './text-check';

/**
 * Reads `freeText`: absent, blank or `*` (Conductor's default, and what its UI sends for an empty box)
 * means no text condition (null); anything else is the text to search for, trimmed.
 *
 * Conductor hands the text to Elasticsearch's `query_string` as Lucene syntax (its UI labels the box
 * "Lucene-syntax Query"), so `a:b AND c*` has operators and a syntax error is a 500. Baton treats it as
 * search text with a small, safe syntax — "quoted phrases", OR / `|`, `-`negation, and (OpenSearch only)
 * `prefix*` — the same on both backends: Postgres' `websearch_to_tsquery` and OpenSearch's
 * `simple_query_string`, neither of which can fail on what the user typed. Field conditions belong in `query`.
 */
export function parseFreeText(text: string, limits: SearchLimits = DEFAULT_SEARCH_LIMITS): Parsed<string | null> {
  const bad = checkText('freeText', text, limits.maxFreeTextLength, 'the free text');
  if (bad) return failed([bad]);
  const trimmed = text.trim();
  return parsed(trimmed === '' || trimmed === '*' ? null : trimmed);
}
