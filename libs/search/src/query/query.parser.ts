import { DEFAULT_SEARCH_LIMITS, type SearchLimits } from '../search-limits';
import { failed, parsed, quoteFound, type Parsed } from '../search-error';
import { checkText } from '../text-check';
import type { CompareOperator, FieldRef, QueryNode, QueryPredicate, ValueToken } from './query.ast';
import { QueryScanner, SyntaxFailure } from './query.scanner';

/**
 * Parses Conductor's search `query` into a `QueryNode`, or null for an empty query (match everything).
 *
 * The grammar, as Baton reads it (keywords in any case; whitespace between tokens optional where a
 * delimiter separates them, as in `startTime>1700000000000`, which Conductor's UI sends):
 *
 *   query      := orExpr? END
 *   orExpr     := andExpr ( OR andExpr )*
 *   andExpr    := primary ( AND primary )*
 *   primary    := '(' orExpr ')' | predicate
 *   predicate  := field ( ( '=' | '!=' | '<' | '>' | STARTS_WITH ) value
 *                       | IN '(' item ( ',' item )* ')'
 *                       | BETWEEN value AND value
 *                       | IS [NOT] NULL )
 *   value      := quoted | word            (a word that is not a keyword)
 *   item       := quoted | raw             (raw: everything up to ',' or ')', trimmed)
 *   quoted     := '…' | "…"                (backslash escapes the next character)
 *
 * Learned from Conductor's es7/os3 parser (`Expression`, `GroupedExpression`, `NameValue`, `ComparisonOp`,
 * `ConstValue`, `ListConst`, `Range`, `BooleanOp` under `es7-persistence/…/dao/query/parser`). Where Baton
 * differs, deliberately:
 * - AND binds tighter than OR. Conductor's `Expression` is right-recursive with no precedence, so its
 *   `a AND b OR c` means `a AND (b OR c)`; Baton's means `(a AND b) OR c`, as SQL and Lucene read it.
 * - An unquoted value is a whole word. Conductor's `ConstValue.readNumber` reads only `0-9 . - e` there,
 *   so its `status = RUNNING` silently compares with '' (the Orkes docs nevertheless show
 *   `workflowType = your_workflow_name`); Baton reads `RUNNING`.
 * - A quoted IN item is unquoted: Conductor keeps the quotes (`IN ('a')` looks for `'a'` and finds nothing).
 * - BETWEEN takes any value (Conductor's `Range` reads numbers only), so ISO dates work.
 * - Keywords are case-insensitive (Conductor's are upper case only; the Orkes docs write `BETWEEN 1 and 2`).
 * - Anything left over is an error. Conductor stops at the first token it cannot use and ignores the
 *   rest, so `a = 1 b = 2` quietly means `a = 1`.
 * - `>=`, `<=`, `<>`, `==` are errors that name the operator to use (Conductor reads `>=` as `>` and
 *   then a value starting with `=`).
 */
export function parseQuery(text: string, limits: SearchLimits = DEFAULT_SEARCH_LIMITS): Parsed<QueryNode | null> {
  const bad = checkText('query', text, limits.maxQueryLength, 'the query');
  if (bad) return failed([bad]);
  try {
    return parsed(new QueryParser(text, limits).parse());
  } catch (e) {
    if (e instanceof SyntaxFailure) return failed([e.error]);
    throw e;
  }
}

const RESERVED = new Set(['AND', 'OR', 'NOT', 'NULL', 'IN', 'IS', 'BETWEEN', 'STARTS_WITH']);
const OPERATORS_HINT = '=, !=, <, >, IN, BETWEEN, IS NULL, IS NOT NULL or STARTS_WITH';

class QueryParser {
  private readonly s: QueryScanner;
  private predicates = 0;

  constructor(
    text: string,
    private readonly limits: SearchLimits,
  ) {
    this.s = new QueryScanner(text);
  }

  parse(): QueryNode | null {
    this.s.skipWhitespace();
    if (this.s.atEnd()) return null;
    const node = this.orExpr(0);
    this.s.skipWhitespace();
    if (!this.s.atEnd()) {
      const at = this.s.position;
      if (this.s.peek() === ')') this.s.fail(at, "unexpected ')': no '(' is open");
      this.s.fail(at, `expected AND, OR or the end of the query, found ${this.s.describeAt(at)}`);
    }
    return node;
  }

  private orExpr(depth: number): QueryNode {
    const clauses = [this.andExpr(depth)];
    while (this.takeKeyword('OR')) clauses.push(this.andExpr(depth));
    return clauses.length === 1 ? clauses[0] : { kind: 'or', clauses };
  }

  private andExpr(depth: number): QueryNode {
    const clauses = [this.primary(depth)];
    while (this.takeKeyword('AND')) clauses.push(this.primary(depth));
    return clauses.length === 1 ? clauses[0] : { kind: 'and', clauses };
  }

  private primary(depth: number): QueryNode {
    this.s.skipWhitespace();
    if (this.s.peek() !== '(') return this.predicate();
    const open = this.s.position;
    if (depth >= this.limits.maxDepth) this.s.fail(open, `parentheses nest deeper than ${this.limits.maxDepth} levels`);
    this.s.advance();
    const node = this.orExpr(depth + 1);
    this.s.skipWhitespace();
    if (this.s.peek() !== ')') {
      this.s.fail(this.s.position, `expected AND, OR or ')' to close the '(' at position ${open}, found ${this.s.describeAt(this.s.position)}`);
    }
    this.s.advance();
    return node;
  }

  private predicate(): QueryPredicate {
    const field = this.field();
    if (++this.predicates > this.limits.maxPredicates) {
      this.s.fail(field.position, `the query has more than ${this.limits.maxPredicates} comparisons`);
    }
    this.s.skipWhitespace();
    const symbol = this.symbolOperator();
    if (symbol) return { kind: 'compare', field, op: symbol, value: this.value(symbol) };
    const word = this.s.readWord();
    switch (word?.text.toUpperCase()) {
      case 'IN':
        return { kind: 'in', field, values: this.list() };
      case 'BETWEEN': {
        const low = this.value('BETWEEN');
        if (!this.takeKeyword('AND')) {
          this.s.skipWhitespace();
          this.s.fail(this.s.position, `expected AND between the bounds of BETWEEN, found ${this.s.describeAt(this.s.position)}`);
        }
        return { kind: 'between', field, low, high: this.value('BETWEEN … AND') };
      }
      case 'IS':
        return { kind: 'isNull', field, negated: this.nullTest() };
      case 'STARTS_WITH':
        return { kind: 'startsWith', field, value: this.value('STARTS_WITH') };
    }
    const at = word ? word.position : this.s.position;
    return this.s.fail(at, `expected an operator (${OPERATORS_HINT}) after ${quoteFound(field.name)}, found ${this.s.describeAt(at)}`);
  }

  private field(): FieldRef {
    const word = this.s.readWord();
    if (!word || RESERVED.has(word.text.toUpperCase())) {
      const at = word ? word.position : this.s.position;
      this.s.fail(at, `expected a field name or '(', found ${this.s.describeAt(at)}`);
    }
    return { name: word.text, position: word.position };
  }

  /** `=`, `!=`, `<`, `>` at the cursor (consumed), with a pointed error for the look-alikes. */
  private symbolOperator(): CompareOperator | null {
    const at = this.s.position;
    const [c, next] = [this.s.peek(), this.s.peek(1)];
    if (c === '=') {
      if (next === '=') this.s.fail(at, "'==' is not an operator: use '='");
      this.s.advance();
      return '=';
    }
    if (c === '!') {
      if (next !== '=') this.s.fail(at, "unexpected '!': the not-equal operator is '!='");
      this.s.advance(2);
      return '!=';
    }
    if (c === '<' || c === '>') {
      if (next === '=') this.s.fail(at, `'${c}=' is not an operator: use '${c}' (exclusive) or BETWEEN (inclusive)`);
      if (c === '<' && next === '>') this.s.fail(at, "'<>' is not an operator: use '!='");
      this.s.advance();
      return c;
    }
    return null;
  }

  /** A single value after an operator: a quoted string or a word that is not a keyword. */
  private value(after: string): ValueToken {
    this.s.skipWhitespace();
    if (this.s.isQuote()) return this.s.readQuoted();
    const word = this.s.readWord();
    if (!word) this.s.fail(this.s.position, `expected a value after ${after}, found ${this.s.describeAt(this.s.position)}`);
    const upper = word.text.toUpperCase();
    if (upper === 'NULL') this.s.fail(word.position, `to match a missing value use IS NULL; to match the text 'null', quote it`);
    if (RESERVED.has(upper)) this.s.fail(word.position, `expected a value after ${after}, found the keyword ${quoteFound(word.text)} (quote it to use it as a value)`);
    return { text: word.text, quoted: false, position: word.position };
  }

  /** `( item, item, … )` after IN. */
  private list(): ValueToken[] {
    this.s.skipWhitespace();
    const open = this.s.position;
    if (this.s.peek() !== '(') this.s.fail(open, `expected '(' after IN, found ${this.s.describeAt(open)}`);
    this.s.advance();
    const values: ValueToken[] = [];
    for (;;) {
      this.s.skipWhitespace();
      const at = this.s.position;
      if (values.length >= this.limits.maxListValues) this.s.fail(at, `an IN list holds at most ${this.limits.maxListValues} values`);
      let item: ValueToken;
      if (this.s.isQuote()) {
        item = this.s.readQuoted();
        this.s.skipWhitespace();
      } else {
        const raw = this.s.readListItem();
        if (!raw.text) this.s.fail(at, `expected a value in the IN list, found ${this.s.describeAt(at)}`);
        item = { text: raw.text, quoted: false, position: raw.position };
      }
      values.push(item);
      const c = this.s.peek();
      if (c === ')') break;
      if (c === ',') {
        this.s.advance();
        continue;
      }
      if (this.s.atEnd()) this.s.fail(open, "unclosed IN list: the '(' opened here is never closed");
      this.s.fail(this.s.position, `expected ',' or ')' in the IN list, found ${this.s.describeAt(this.s.position)}`);
    }
    this.s.advance();
    return values;
  }

  /** After IS: `NULL` (false) or `NOT NULL` (true). */
  private nullTest(): boolean {
    this.s.skipWhitespace();
    const first = this.s.readWord();
    const negated = first?.text.toUpperCase() === 'NOT';
    if (negated) this.s.skipWhitespace();
    const last = negated ? this.s.readWord() : first;
    if (last?.text.toUpperCase() !== 'NULL') {
      const at = last ? last.position : this.s.position;
      this.s.fail(at, `expected ${negated ? 'NULL after IS NOT' : 'NULL or NOT NULL after IS'}, found ${this.s.describeAt(at)}`);
    }
    return negated;
  }

  /** Consumes the keyword (any case) if it is the next word. */
  private takeKeyword(keyword: 'AND' | 'OR'): boolean {
    const word = this.s.peekWord();
    if (word?.text.toUpperCase() !== keyword) return false;
    this.s.skipWhitespace();
    this.s.advance(word.text.length);
    return true;
  }
}
