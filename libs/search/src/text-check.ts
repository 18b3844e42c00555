import { searchError, type SearchError, type SearchParam } from './search-error';

/**
 * Checks a parameter's raw text before anything parses it: its length against the limit, and no
 * character a search has no use for — C0 controls other than tab, newline and carriage return, DEL, and
 * lone UTF-16 surrogates (malformed Unicode). Postgres cannot store a NUL in text at all, and the others
 * only ever arrive by mistake or by malice; refusing them up front keeps them out of every backend.
 * One linear pass.
 */
export function checkText(param: SearchParam, text: string, maxLength: number, what: string): SearchError | null {
  if (text.length > maxLength) {
    return searchError(param, maxLength, `${what} is ${text.length} characters long; the limit is ${maxLength}`);
  }
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if ((code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || code === 0x7f) {
      return searchError(param, i, `control character U+${code.toString(16).toUpperCase().padStart(4, '0')} is not allowed`);
    }
    if (code >= 0xd800 && code <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (next >= 0xdc00 && next <= 0xdfff) {
        i++;
        continue;
      }
      return searchError(param, i, 'malformed Unicode: a lone surrogate');
    }
    if (code >= 0xdc00 && code <= 0xdfff) return searchError(param, i, 'malformed Unicode: a lone surrogate');
  }
  return null;
}
