/**
 * Errors are values: a search request that does not parse or names what the index does not have comes
 * back as a list of these, never as a thrown exception, so the API can answer one clear 400 that points
 * at the offending character. Conductor throws a `ParserException` whose message names no position
 * (and its ES DAO turns it into a 500); Baton says where.
 */

/** Which request parameter the error is about (`GET /api/workflow/search?query=…&sort=…&freeText=…`). */
export type SearchParam = 'query' | 'sort' | 'freeText';

export interface SearchError {
  readonly param: SearchParam;
  /** Human-readable, self-contained (it repeats the position), fit for an error body as is. */
  readonly message: string;
  /** 0-based offset into the parameter's text, in UTF-16 code units (a JavaScript string index). */
  readonly position: number;
}

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: readonly SearchError[] };

export const parsed = <T>(value: T): Parsed<T> => ({ ok: true, value });
export const failed = <T = never>(errors: readonly SearchError[]): Parsed<T> => ({ ok: false, errors });

export const searchError = (param: SearchParam, position: number, text: string): SearchError => ({
  param,
  position,
  message: `${text} (${param}, at position ${position})`,
});

/** A short, printable rendering of what the parser found, for messages (`'RUNNIN…'`). */
export const quoteFound = (text: string, max = 40): string => `'${text.length > max ? `${text.slice(0, max)}…` : text}'`;
