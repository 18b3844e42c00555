import { ScriptEvaluators } from '../../runs/script-evaluators';
import type { Evaluators } from '../evaluators';

let loading: Promise<Evaluators> | undefined;

/** The real, sandboxed evaluators, loaded once per test file that needs them. */
export const loadTestEvaluators = (): Promise<Evaluators> => (loading ??= ScriptEvaluators.load());
