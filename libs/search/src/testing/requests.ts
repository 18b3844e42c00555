import type { FieldCatalog, SearchIndex } from '../fields/search-fields';
import { parseSearchRequest, type SearchRequest, type SearchRequestInput } from '../search-request';

/** A checked request for compiler specs; a fixture that does not check is a broken test. */
export function request<C extends FieldCatalog>(index: SearchIndex<C>, input: SearchRequestInput | string): SearchRequest<C> {
  const result = parseSearchRequest(index, typeof input === 'string' ? { query: input } : input);
  if (!result.ok) throw new Error(`fixture does not check: ${result.errors.map((e) => e.message).join('; ')}`);
  return result.value;
}
