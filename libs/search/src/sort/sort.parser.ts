import { FIELD_TYPE_TRAITS, fieldType, unknownFieldMessage, type FieldCatalog, type SearchIndex } from '../fields/search-fields';
import type { TypedField } from '../query/query.validator';
import { failed, parsed, quoteFound, searchError, type Parsed, type SearchError } from '../search-error';
import { DEFAULT_SEARCH_LIMITS, type SearchLimits } from '../search-limits';
import { checkText } from '../text-check';

export type SortDirection = 'ASC' | 'DESC';

export interface SortKey {
  readonly field: TypedField;
  readonly direction: SortDirection;
}

/**
 * Parses Conductor's `sort` parameter: keys separated by `|`, each `field` or `field:ASC|DESC`
 * (`startTime:DESC|workflowId:ASC`). Conductor splits on `|` (`convertSort` in its services), then on the
 * first `:`, defaulting to ASC; its ES DAO reads the direction with Java's `SortOrder.valueOf`, so `asc`
 * or a typo is a 500 and an unknown field is Elasticsearch's business. Baton takes the direction in any
 * case, names an unknown or unsortable field in a 400, and skips empty keys (`a:ASC|`).
 */
export function parseSort<C extends FieldCatalog>(
  text: string,
  index: SearchIndex<C>,
  limits: SearchLimits = DEFAULT_SEARCH_LIMITS,
): Parsed<readonly SortKey[]> {
  const bad = checkText('sort', text, limits.maxQueryLength, 'the sort');
  if (bad) return failed([bad]);
  const keys: SortKey[] = [];
  const errors: SearchError[] = [];
  let start = 0;
  for (const segment of text.split('|')) {
    const at = start + (segment.length - segment.trimStart().length);
    start += segment.length + 1;
    const key = segment.trim();
    if (!key) continue;
    if (keys.length + errors.length >= limits.maxSortKeys) {
      errors.push(searchError('sort', at, `at most ${limits.maxSortKeys} sort keys`));
      break;
    }
    const parsedKey = parseKey(key, at, index);
    if ('message' in parsedKey) errors.push(parsedKey);
    else keys.push(parsedKey);
  }
  return errors.length ? failed(errors) : parsed(keys);
}

function parseKey<C extends FieldCatalog>(key: string, at: number, index: SearchIndex<C>): SortKey | SearchError {
  if (key.includes(',')) return searchError('sort', at + key.indexOf(','), "separate sort keys with '|', as Conductor does (startTime:DESC|workflowId:ASC)");
  const colon = key.indexOf(':');
  const name = (colon < 0 ? key : key.slice(0, colon)).trimEnd();
  const written = colon < 0 ? 'ASC' : key.slice(colon + 1).trim();
  const type = fieldType(index, name);
  if (type === undefined) return searchError('sort', at, unknownFieldMessage(index, name, 'sort field'));
  if (!FIELD_TYPE_TRAITS[type].sortable) return searchError('sort', at, `cannot sort by ${name}, ${FIELD_TYPE_TRAITS[type].noun}`);
  const direction = written.toUpperCase();
  if (direction !== 'ASC' && direction !== 'DESC') {
    const dirAt = at + colon + 1 + (key.slice(colon + 1).length - key.slice(colon + 1).trimStart().length);
    return searchError('sort', dirAt, `expected ASC or DESC after '${name}:', found ${written ? quoteFound(written) : 'nothing'}`);
  }
  return { field: { name, type }, direction };
}
