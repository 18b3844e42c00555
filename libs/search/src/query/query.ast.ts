/**
 * The typed tree of a search `query` (Conductor's `Expression` / `GroupedExpression` / `NameValue`), one
 * shape for two stages: as parsed (`QueryNode`: field names and value tokens as written, with positions)
 * and as validated against an index (`SearchFilter`: known fields with their types, typed values).
 *
 * Conductor's tree is right-nested binary (`a AND b OR c` is `a AND (b OR c)`); Baton's is n-ary with
 * AND binding tighter than OR, as in SQL.
 */

/** The comparison operators of `field op value` (Conductor's `ComparisonOp`, less IN/IS/BETWEEN/STARTS_WITH). */
export type CompareOperator = '=' | '!=' | '<' | '>';

export type Expr<F, V> =
  | { readonly kind: 'and'; readonly clauses: readonly Expr<F, V>[] }
  | { readonly kind: 'or'; readonly clauses: readonly Expr<F, V>[] }
  | { readonly kind: 'compare'; readonly field: F; readonly op: CompareOperator; readonly value: V }
  | { readonly kind: 'in'; readonly field: F; readonly values: readonly V[] }
  /** Inclusive at both ends, as Conductor's `rangeQuery(name).from(low).to(high)`. */
  | { readonly kind: 'between'; readonly field: F; readonly low: V; readonly high: V }
  /** `IS NULL` (negated: false) or `IS NOT NULL` (negated: true). */
  | { readonly kind: 'isNull'; readonly field: F; readonly negated: boolean }
  | { readonly kind: 'startsWith'; readonly field: F; readonly value: V };

/** One comparison: every node that is not AND or OR. */
export type Predicate<F, V> = Exclude<Expr<F, V>, { kind: 'and' | 'or' }>;

/** A field name as written, and where. */
export interface FieldRef {
  readonly name: string;
  readonly position: number;
}

/** A value as written: its text (unquoted and unescaped when it was quoted), and where it starts. */
export interface ValueToken {
  readonly text: string;
  readonly quoted: boolean;
  readonly position: number;
}

/** The parser's output. */
export type QueryNode = Expr<FieldRef, ValueToken>;
export type QueryPredicate = Predicate<FieldRef, ValueToken>;

/** The operator a predicate uses, as the grammar spells it (for messages and the operator traits). */
export type OperatorName = CompareOperator | 'IN' | 'BETWEEN' | 'IS NULL' | 'IS NOT NULL' | 'STARTS_WITH';

export function operatorOf<F, V>(p: Predicate<F, V>): OperatorName {
  switch (p.kind) {
    case 'compare':
      return p.op;
    case 'in':
      return 'IN';
    case 'between':
      return 'BETWEEN';
    case 'isNull':
      return p.negated ? 'IS NOT NULL' : 'IS NULL';
    case 'startsWith':
      return 'STARTS_WITH';
  }
}
