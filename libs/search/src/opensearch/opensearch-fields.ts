import type { FieldCatalog, SearchIndex, TASK_SEARCH_FIELDS, WORKFLOW_SEARCH_FIELDS } from '../fields/search-fields';
import { FieldType, TASK_INDEX, WORKFLOW_INDEX } from '../fields/search-fields';

export interface OpenSearchSpec<C extends FieldCatalog = FieldCatalog> {
  readonly index: SearchIndex<C>;
  /** Where a field lives in the document when not at its own name (a dotted path). */
  readonly fieldPaths?: { readonly [K in keyof C]?: string };
  /** The fields free text searches; absent: the index's default (`index.query.default_field`, `*`). */
  readonly freeTextFields?: readonly string[];
}

export const WORKFLOW_OPENSEARCH_SPEC: OpenSearchSpec<typeof WORKFLOW_SEARCH_FIELDS> = { index: WORKFLOW_INDEX };
export const TASK_OPENSEARCH_SPEC: OpenSearchSpec<typeof TASK_SEARCH_FIELDS> = { index: TASK_INDEX };

export function fieldPath<C extends FieldCatalog>(spec: OpenSearchSpec<C>, name: string): string {
  const paths: Readonly<Record<string, string | undefined>> = spec.fieldPaths ?? {};
  return (Object.prototype.hasOwnProperty.call(paths, name) ? paths[name] : undefined) ?? name;
}

/** The date format of Conductor's ES mappings: ISO-8601 or epoch milliseconds. */
export const DATE_FORMAT = 'strict_date_optional_time||epoch_millis';

type MappingProperty = { readonly type: 'keyword' } | { readonly type: 'long' } | { readonly type: 'date'; readonly format: string };

/**
 * The mapping properties the compiler's queries assume for the searchable fields — keyword, date, long
 * as in Conductor's `mappings_docType_workflow.json` — for the indexer to create its index with. Unlike
 * Conductor's mapping, `failedReferenceTaskNames` is a keyword array (Conductor maps the comma-joined
 * string as unindexed text, so it cannot be searched) and `reasonForIncompletion` stays a keyword.
 */
export function openSearchMapping<C extends FieldCatalog>(spec: OpenSearchSpec<C>): { readonly properties: Readonly<Record<string, MappingProperty>> } {
  const properties: Record<string, MappingProperty> = {};
  for (const [name, type] of Object.entries(spec.index.fields)) {
    properties[fieldPath(spec, name)] = type === FieldType.Time ? { type: 'date', format: DATE_FORMAT } : { type: type === FieldType.Integer ? 'long' : 'keyword' };
  }
  return { properties };
}
