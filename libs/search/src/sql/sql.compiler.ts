import type { FieldCatalog, FieldType } from '../fields/search-fields';
import type { Scalar } from '../fields/field-values';
import type { FilterPredicate, SearchFilter } from '../query/query.validator';
import type { SearchRequest } from '../search-request';
import type { SqlColumn, SqlSearchSpec } from './sql-columns';

/** A WHERE condition and an ORDER BY list with their bound parameters (`$first`, `$first+1`, …). */
export interface SqlSearch {
  /** A boolean SQL expression; `TRUE` when the request has no condition. */
  readonly where: string;
  readonly params: readonly unknown[];
  /** The ORDER BY list without the keywords; always ends with the index's id, so paging is stable. */
  readonly orderBy: string;
}

export interface SqlCompileOptions {
  /** The number of the first parameter, for a statement that binds others before these. Default 1. */
  readonly firstParam?: number;
}

/**
 * Compiles a checked search request to parameterized SQL for Postgres. Every value from the request is a
 * bound parameter with an explicit cast; the SQL text is made of the spec's trusted column expressions and
 * fixed keywords only. Meanings match the OpenSearch compiler's:
 * - `!=` matches rows where the field is absent (`IS DISTINCT FROM`), as OpenSearch's `must_not term` does;
 * - `<`, `>`, BETWEEN never match an absent field; BETWEEN is inclusive;
 * - STARTS_WITH is a prefix match (`LIKE 'prefix%'`, the prefix's `% _ \` escaped);
 * - a list field matches when any element does; it IS NULL when absent or empty;
 * - ORDER BY puts absent values last in both directions, as OpenSearch sorts by default.
 * Conductor's own Postgres index (`PostgresIndexQueryBuilder`) reads only `field (=|>|<|IN) value` joined by
 * AND, silently drops a field it does not know, and turns `*` in a value into LIKE; Baton runs the full
 * grammar, rejects unknown fields, and matches `=` exactly.
 */
export function compileSql<C extends FieldCatalog>(request: SearchRequest<C>, spec: SqlSearchSpec<C>, options: SqlCompileOptions = {}): SqlSearch {
  if (request.index.name !== spec.index.name) throw new Error(`a ${request.index.name} search compiled with the ${spec.index.name} SQL spec`);
  const binder = new Binder(options.firstParam ?? 1);
  const conditions: string[] = [];
  if (request.filter) conditions.push(filterSql(request.filter, spec, binder));
  if (request.freeText !== null) conditions.push(freeTextSql(request.freeText, spec.textSearch, binder));
  return { where: conditions.length ? conditions.join(' AND ') : 'TRUE', params: binder.params, orderBy: orderBySql(request, spec) };
}

class Binder {
  readonly params: unknown[] = [];
  constructor(private readonly first: number) {}

  bind(value: unknown, cast: string): string {
    this.params.push(value);
    return `$${this.first + this.params.length - 1}::${cast}`;
  }
}

function filterSql<C extends FieldCatalog>(filter: SearchFilter, spec: SqlSearchSpec<C>, b: Binder): string {
  if (filter.kind === 'and' || filter.kind === 'or') {
    return `(${filter.clauses.map((c) => filterSql(c, spec, b)).join(filter.kind === 'and' ? ' AND ' : ' OR ')})`;
  }
  return predicateSql(filter, columnOf(spec, filter.field.name, filter.field.type), b);
}

function columnOf<C extends FieldCatalog>(spec: SqlSearchSpec<C>, name: string, type: FieldType): SqlColumn {
  const columns: Readonly<Record<string, SqlColumn>> = spec.columns;
  const column = Object.prototype.hasOwnProperty.call(columns, name) ? columns[name] : undefined;
  if (!column) throw new Error(`the ${spec.index.name} SQL spec has no column for ${name}`);
  const fits: Record<FieldType, readonly string[]> = { keyword: ['text', 'uuid'], keywordList: ['textArray'], time: ['timestamptz', 'epochMs'], integer: ['integer'] };
  if (!fits[type].includes(column.type)) throw new Error(`${name} is a ${type} field but its SQL column is ${column.type}`);
  return column;
}

function predicateSql(p: FilterPredicate, column: SqlColumn, b: Binder): string {
  switch (column.type) {
    case 'textArray':
      return listPredicate(p, column.sql, b);
    case 'uuid':
      return uuidPredicate(p, column.sql, b);
    default:
      return scalarPredicate(p, column, b);
  }
}

const CASTS = { text: 'text', uuid: 'uuid', timestamptz: 'timestamptz', epochMs: 'bigint', integer: 'bigint', textArray: 'text' } as const;

/** A request value as Postgres takes it for the column: times on a timestamptz column as ISO strings. */
function sqlValue(column: SqlColumn, value: Scalar): Scalar {
  if (column.type === 'timestamptz') return new Date(value).toISOString();
  return column.type === 'text' ? String(value) : value;
}

function scalarPredicate(p: FilterPredicate, column: SqlColumn, b: Binder): string {
  const c = column.sql;
  const cast = CASTS[column.type];
  const bind = (v: Scalar): string => b.bind(sqlValue(column, v), cast);
  switch (p.kind) {
    case 'compare':
      return p.op === '!=' ? `${c} IS DISTINCT FROM ${bind(p.value)}` : `${c} ${p.op} ${bind(p.value)}`;
    case 'in':
      return `${c} = ANY(${b.bind(p.values.map((v) => sqlValue(column, v)), `${cast}[]`)})`;
    case 'between':
      return `${c} BETWEEN ${bind(p.low)} AND ${bind(p.high)}`;
    case 'isNull':
      return `${c} IS ${p.negated ? 'NOT ' : ''}NULL`;
    case 'startsWith':
      if (column.type !== 'text') return unreachable(p, column);
      return `${c} LIKE ${b.bind(likePrefix(String(p.value)), 'text')} ESCAPE '\\'`;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Ids in a uuid column: a value that is not a UUID can match no row, so it compiles to a constant instead of a failing cast. */
function uuidPredicate(p: FilterPredicate, c: string, b: Binder): string {
  const asUuid = (v: Scalar): string | null => {
    const s = String(v).toLowerCase();
    return UUID.test(s) ? s : null;
  };
  switch (p.kind) {
    case 'compare': {
      const id = asUuid(p.value);
      if (p.op === '=') return id ? `${c} = ${b.bind(id, 'uuid')}` : 'FALSE';
      if (p.op === '!=') return id ? `${c} IS DISTINCT FROM ${b.bind(id, 'uuid')}` : 'TRUE';
      return unreachable(p, { sql: c, type: 'uuid' });
    }
    case 'in': {
      const ids = p.values.map(asUuid).filter((id): id is string => id !== null);
      return ids.length ? `${c} = ANY(${b.bind(ids, 'uuid[]')})` : 'FALSE';
    }
    case 'isNull':
      return `${c} IS ${p.negated ? 'NOT ' : ''}NULL`;
    case 'startsWith':
      return `${c}::text LIKE ${b.bind(likePrefix(String(p.value).toLowerCase()), 'text')} ESCAPE '\\'`;
    case 'between':
      return unreachable(p, { sql: c, type: 'uuid' });
  }
}

function listPredicate(p: FilterPredicate, c: string, b: Binder): string {
  switch (p.kind) {
    case 'compare':
      if (p.op === '=') return `${c} @> ${b.bind([String(p.value)], 'text[]')}`;
      if (p.op === '!=') return `NOT COALESCE(${c} @> ${b.bind([String(p.value)], 'text[]')}, FALSE)`;
      return unreachable(p, { sql: c, type: 'textArray' });
    case 'in':
      return `${c} && ${b.bind(p.values.map(String), 'text[]')}`;
    case 'isNull':
      return p.negated ? `cardinality(${c}) > 0` : `(${c} IS NULL OR cardinality(${c}) = 0)`;
    case 'startsWith':
      return `EXISTS (SELECT 1 FROM unnest(${c}) AS e(v) WHERE e.v LIKE ${b.bind(likePrefix(String(p.value)), 'text')} ESCAPE '\\')`;
    case 'between':
      return unreachable(p, { sql: c, type: 'textArray' });
  }
}

/** A LIKE pattern matching what starts with `prefix`: its own `\`, `%`, `_` escaped. */
export const likePrefix = (prefix: string): string => `${prefix.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

const CONFIG = /^[a-z_][a-z0-9_]*$/;

function freeTextSql(text: string, { vector, config }: SqlSearchSpec['textSearch'], b: Binder): string {
  if (!CONFIG.test(config)) throw new Error(`not a text search configuration name: ${config}`);
  return `${vector} @@ websearch_to_tsquery('${config}', ${b.bind(text, 'text')})`;
}

function orderBySql<C extends FieldCatalog>(request: SearchRequest<C>, spec: SqlSearchSpec<C>): string {
  const keys = request.sort.map((k) => `${columnOf(spec, k.field.name, k.field.type).sql} ${k.direction} NULLS LAST`);
  const id = spec.index.idField;
  if (!request.sort.some((k) => k.field.name === id)) keys.push(`${columnOf(spec, id, spec.index.fields[id]!).sql} ASC`);
  return keys.join(', ');
}

function unreachable(p: FilterPredicate, column: SqlColumn): never {
  throw new Error(`${p.kind} on ${p.field.name} cannot compile for a ${column.type} column (the validator lets no such query through)`);
}
