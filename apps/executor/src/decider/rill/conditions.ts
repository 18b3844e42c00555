import { compileFilter, CompiledFilter, isDefinite, parsePath, PathSegment, readDefinite, runFilter, select } from './jsonpath';

/**
 * Rill Flow's conditions (`ConditionsUtil`, the switch, return and suspense runners): a condition matches
 * when its JSONPath (`jsonpath.ts`, Jayway's semantics) selects at least one node of `{context, input,
 * output}` — `$.input.[?(@.num < 5)]` — or, Baton's extension, when the value at a path passes the
 * comparison that follows it — `$.context.tt==1`. Never throws: a malformed condition does not match.
 */

type Condition = { segments: readonly PathSegment[]; comparison?: CompiledFilter };

function parseCondition(condition: unknown): Condition | string {
  if (typeof condition !== 'string') return 'a condition is a string';
  const parsed = parsePath(condition.trim());
  if (!parsed.ok) return parsed.message;
  const rest = parsed.rest.trim();
  if (!rest) return { segments: parsed.segments };
  if (!/^(==|!=|<|>)/.test(rest)) return `unexpected "${rest}" after the path in ${condition}`;
  const comparison = compileFilter(`@ ${rest}`);
  return typeof comparison === 'string' ? comparison : { segments: parsed.segments, comparison };
}

/** Why a condition is malformed (it would never match), or undefined when it is well formed. */
export function checkCondition(condition: string): string | undefined {
  const parsed = parseCondition(condition);
  if (typeof parsed === 'string') return parsed;
  const filters = parsed.segments.flatMap((s) => (s.kind === 'filter' ? [s.filter] : []));
  for (const filter of parsed.comparison ? [...filters, parsed.comparison] : filters) {
    const probe = runFilter(filter, {}, {});
    if (typeof probe === 'string') return probe;
  }
  return undefined;
}

/** True when the condition selects at least one node of `doc`; a malformed condition is false. */
export function conditionMatches(condition: string, doc: object): boolean {
  const parsed = parseCondition(condition);
  if (typeof parsed === 'string') return false;
  let nodes: unknown[];
  if (isDefinite(parsed.segments)) {
    const read = readDefinite(parsed.segments, doc);
    nodes = read.ok && read.value !== undefined ? [read.value] : [];
  } else nodes = select(parsed.segments, doc);
  const { comparison } = parsed;
  return (comparison ? nodes.filter((v) => runFilter(comparison, v, doc) === true) : nodes).length > 0;
}

/** Rill Flow's `conditionsAllMatch`: every condition matches (true for none). */
export const allMatch = (conditions: readonly string[], doc: object): boolean => conditions.every((c) => conditionMatches(c, doc));

/** Rill Flow's `conditionsAnyMatch`: some condition matches (false for none). */
export const anyMatch = (conditions: readonly string[], doc: object): boolean => conditions.some((c) => conditionMatches(c, doc));
