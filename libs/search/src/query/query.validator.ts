import { FIELD_TYPE_TRAITS, fieldType, unknownFieldMessage, type FieldCatalog, type FieldType, type SearchIndex } from '../fields/search-fields';
import { coerceValue, type Scalar } from '../fields/field-values';
import { failed, parsed, quoteFound, searchError, type Parsed, type SearchError } from '../search-error';
import { operatorOf, type Expr, type Predicate, type QueryNode, type QueryPredicate, type ValueToken } from './query.ast';

/** A field the index has, with its type. */
export interface TypedField {
  readonly name: string;
  readonly type: FieldType;
}

/** A query checked against an index: what the compilers take. */
export type SearchFilter = Expr<TypedField, Scalar>;
export type FilterPredicate = Predicate<TypedField, Scalar>;

/**
 * Checks a parsed query against an index and types its values: every field must be one the index has
 * (an unknown one is named in a 400 — Conductor passes it to Elasticsearch, which matches nothing), every
 * operator must apply to its field's type, and every value must read as that type. Reports every
 * problem in the query, not just the first.
 */
export function validateQuery<C extends FieldCatalog>(node: QueryNode, index: SearchIndex<C>): Parsed<SearchFilter> {
  const errors: SearchError[] = [];
  const filter = check(node, index, errors);
  return errors.length ? failed(errors) : parsed(filter);
}

function check<C extends FieldCatalog>(node: QueryNode, index: SearchIndex<C>, errors: SearchError[]): SearchFilter {
  if (node.kind === 'and' || node.kind === 'or') return { kind: node.kind, clauses: node.clauses.map((c) => check(c, index, errors)) };
  return checkPredicate(node, index, errors);
}

function checkPredicate<C extends FieldCatalog>(p: QueryPredicate, index: SearchIndex<C>, errors: SearchError[]): FilterPredicate {
  const type = fieldType(index, p.field.name);
  // Placeholder values keep the walk going after an error; the result is discarded when there is one.
  const field: TypedField = { name: p.field.name, type: type ?? 'keyword' };
  if (type === undefined) {
    errors.push(searchError('query', p.field.position, unknownFieldMessage(index, p.field.name, 'field')));
    return placeholder(field);
  }
  const op = operatorOf(p);
  const allowed = FIELD_TYPE_TRAITS[type].operators;
  if (!allowed.includes(op)) {
    errors.push(searchError('query', p.field.position, `${op} does not apply to ${p.field.name}, ${FIELD_TYPE_TRAITS[type].noun}: use ${allowed.join(', ')}`));
    return placeholder(field);
  }
  const value = (token: ValueToken): Scalar => {
    const coerced = coerceValue(type, token.text);
    if (coerced.ok) return coerced.value;
    errors.push(searchError('query', token.position, `${p.field.name} is ${FIELD_TYPE_TRAITS[type].noun}: ${coerced.reason}, found ${quoteFound(token.text)}`));
    return 0;
  };
  switch (p.kind) {
    case 'compare':
      return { kind: 'compare', field, op: p.op, value: value(p.value) };
    case 'in':
      return { kind: 'in', field, values: p.values.map(value) };
    case 'between':
      return { kind: 'between', field, low: value(p.low), high: value(p.high) };
    case 'isNull':
      return { kind: 'isNull', field, negated: p.negated };
    case 'startsWith':
      return { kind: 'startsWith', field, value: value(p.value) };
  }
}

const placeholder = (field: TypedField): FilterPredicate => ({ kind: 'isNull', field, negated: false });

