/**
 * What the decider needs to run users' scripts: JavaScript (INLINE, LAMBDA, SWITCH and DO_WHILE
 * conditions) and jq (JSON_JQ_TRANSFORM). Both are synchronous — a decision is a pure, synchronous
 * function — and sandboxed, with time and memory limits; the executor supplies the real ones
 * (`apps/executor/src/scripting`). Failures are values, not exceptions: a user's broken script fails the
 * user's task, never the decision.
 */
export type ScriptFailureKind = 'timeout' | 'memory' | 'syntax' | 'runtime' | 'result';

export type ScriptResult = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly kind: ScriptFailureKind; readonly message: string };

export type JqResult = { readonly ok: true; readonly results: unknown[] } | { readonly ok: false; readonly message: string };

export interface Evaluators {
  /** Evaluates `script` with `$` bound to a copy of `input`; the value of its last expression is the result. */
  javascript(script: string, input: Record<string, unknown>): ScriptResult;
  /** Runs a jq program over `input`; every value it emits, in order. */
  jq(query: string, input: unknown): JqResult;
}

/** For decisions that run no script: any use is a bug (a definition that needs scripts got no evaluators). */
export const NO_EVALUATORS: Evaluators = {
  javascript: () => {
    throw new Error('this decision was given no script evaluator');
  },
  jq: () => {
    throw new Error('this decision was given no jq evaluator');
  },
};

/**
 * A condition as Conductor evaluates one: `value-param` reads the input parameter named by `expression`;
 * `javascript` and `graaljs` (the default) run it as a script with `$` = `input`.
 */
export function evaluateExpression(evaluators: Evaluators, evaluatorType: string | undefined, expression: string, input: Record<string, unknown>): ScriptResult {
  if (evaluatorType === 'value-param') return { ok: true, value: input[expression] };
  if (evaluatorType !== undefined && evaluatorType !== 'javascript' && evaluatorType !== 'graaljs') {
    return { ok: false, kind: 'syntax', message: `evaluatorType ${evaluatorType} is not supported (value-param, javascript and graaljs are)` };
  }
  return evaluators.javascript(expression, input);
}
