import type { Expr, QueryNode, ValueToken } from '../query/query.ast';

/**
 * A compact, unambiguous rendering of a parsed query for table-driven specs: `(and (= status RUNNING)
 * (in workflowType [a, "b c"]))` — bare values as written, quoted ones as JSON strings.
 */
export function render(node: QueryNode | null): string {
  return node ? renderExpr(node) : '∅';
}

const value = (v: ValueToken): string => (v.quoted ? JSON.stringify(v.text) : v.text);

function renderExpr(node: Expr<{ name: string }, ValueToken>): string {
  switch (node.kind) {
    case 'and':
    case 'or':
      return `(${node.kind} ${node.clauses.map(renderExpr).join(' ')})`;
    case 'compare':
      return `(${node.op} ${node.field.name} ${value(node.value)})`;
    case 'in':
      return `(in ${node.field.name} [${node.values.map(value).join(', ')}])`;
    case 'between':
      return `(between ${node.field.name} ${value(node.low)} ${value(node.high)})`;
    case 'isNull':
      return `(${node.negated ? 'notnull' : 'null'} ${node.field.name})`;
    case 'startsWith':
      return `(prefix ${node.field.name} ${value(node.value)})`;
  }
}
