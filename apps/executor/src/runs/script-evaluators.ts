import type { Evaluators, JqResult, ScriptResult } from '../decider/evaluators';
import { JqTransformer } from '../scripting/jq-transformer';
import { ScriptSandbox } from '../scripting/script-sandbox';

/**
 * The decider's script evaluators for this process: one QuickJS sandbox and one jq, each loaded (its
 * WASM compiled) once at boot, then used synchronously by every decision.
 */
export class ScriptEvaluators implements Evaluators {
  private constructor(
    private readonly sandbox: ScriptSandbox,
    private readonly jqRunner: JqTransformer,
  ) {}

  static async load(): Promise<ScriptEvaluators> {
    const [sandbox, jq] = await Promise.all([ScriptSandbox.create(), JqTransformer.create()]);
    return new ScriptEvaluators(sandbox, jq);
  }

  javascript(script: string, input: Record<string, unknown>): ScriptResult {
    return this.sandbox.evaluate(script, input);
  }

  jq(query: string, input: unknown): JqResult {
    return this.jqRunner.transform(query, input);
  }
}
