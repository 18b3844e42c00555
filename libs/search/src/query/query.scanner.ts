import { quoteFound, searchError, type SearchError } from '../search-error';
import type { ValueToken } from './query.ast';

/** Thrown inside the parser only, caught at its entry point and returned as a value. */
export class SyntaxFailure {
  constructor(readonly error: SearchError) {}
}

/** Conductor's `AbstractNode.skipWhitespace` set: nothing else separates tokens. */
const WHITESPACE = new Set([' ', '\t', '\n', '\r']);
/** Characters that end a word: brackets, list commas, quotes and the symbol operators. */
const DELIMITERS = new Set(['(', ')', ',', "'", '"', '=', '<', '>', '!']);

export interface Word {
  readonly text: string;
  readonly position: number;
}

/**
 * A cursor over the query text for a recursive-descent parser: it reads one token of the kind the parser
 * expects next (a word, a quoted string, a raw IN-list item), so each context can read what Conductor
 * reads there. Every read is linear in what it consumes; nothing backtracks further than one word.
 *
 * A word is a run of anything but whitespace and the delimiters `( ) , ' " = < > !` — field names,
 * keywords, numbers, ISO dates and bare values alike (Conductor's `Name.readToken` stops at whitespace and
 * `= < > !` the same way).
 */
export class QueryScanner {
  private pos = 0;

  constructor(private readonly text: string) {}

  get position(): number {
    return this.pos;
  }

  atEnd(): boolean {
    return this.pos >= this.text.length;
  }

  /** The character `offset` ahead, or '' past the end. */
  peek(offset = 0): string {
    return this.text.charAt(this.pos + offset);
  }

  advance(count = 1): void {
    this.pos += count;
  }

  skipWhitespace(): void {
    while (WHITESPACE.has(this.peek())) this.pos++;
  }

  /** Consumes a word at the cursor; null when the next character does not start one. */
  readWord(): Word | null {
    const start = this.pos;
    while (!this.atEnd() && !WHITESPACE.has(this.peek()) && !DELIMITERS.has(this.peek())) this.pos++;
    return this.pos > start ? { text: this.text.slice(start, this.pos), position: start } : null;
  }

  /** The word after any whitespace, without consuming anything. */
  peekWord(): Word | null {
    const saved = this.pos;
    this.skipWhitespace();
    const word = this.readWord();
    this.pos = saved;
    return word;
  }

  isQuote(): boolean {
    return this.peek() === "'" || this.peek() === '"';
  }

  /**
   * A string in single or double quotes; a backslash takes the next character literally (Conductor's
   * `ConstValue.readString`: `\'`, `\"`, `\\`). The token's text is the unescaped content.
   */
  readQuoted(): ValueToken {
    const position = this.pos;
    const quote = this.peek();
    const parts: string[] = [];
    let chunk = ++this.pos;
    while (!this.atEnd()) {
      const c = this.peek();
      if (c === quote) {
        parts.push(this.text.slice(chunk, this.pos));
        this.pos++;
        return { text: parts.join(''), quoted: true, position };
      }
      if (c === '\\') {
        parts.push(this.text.slice(chunk, this.pos));
        if (this.pos + 1 >= this.text.length) break;
        parts.push(this.text.charAt(this.pos + 1));
        this.pos += 2;
        chunk = this.pos;
        continue;
      }
      this.pos++;
    }
    return this.fail(position, `unterminated string: the ${quote} opened here is never closed`);
  }

  /**
   * An unquoted item of an IN list: everything up to the next `,` or `)`, trimmed — so `IN (my flow, b)`
   * holds `my flow`, as Conductor's `ListConst` reads it. A quote, a `(` or the end of the query inside
   * the item is an error.
   */
  readListItem(): Word {
    const position = this.pos;
    while (!this.atEnd() && this.peek() !== ',' && this.peek() !== ')') {
      const c = this.peek();
      if (c === '(' || c === "'" || c === '"') {
        this.fail(this.pos, `unexpected ${quoteFound(c)} inside an IN list value: quote the whole value, as in IN ('a', 'b')`);
      }
      this.pos++;
    }
    let end = this.pos;
    while (end > position && WHITESPACE.has(this.text.charAt(end - 1))) end--;
    return { text: this.text.slice(position, end), position };
  }

  /** What is at `position`, for "expected X, found Y" messages. */
  describeAt(position: number): string {
    if (position >= this.text.length) return 'the end of the query';
    const c = this.text.charAt(position);
    if (c === "'" || c === '"') return 'a quoted string';
    if (DELIMITERS.has(c)) return quoteFound(c);
    let end = position;
    while (end < this.text.length && !WHITESPACE.has(this.text.charAt(end)) && !DELIMITERS.has(this.text.charAt(end))) end++;
    return quoteFound(this.text.slice(position, end));
  }

  fail(position: number, message: string): never {
    throw new SyntaxFailure(searchError('query', position, message));
  }
}
