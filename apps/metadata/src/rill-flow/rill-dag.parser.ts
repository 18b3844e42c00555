import type { ValidationErrorItem } from '@app/contracts';
import type { RillDag } from './rill-dag.model';
import { readRillDag, RillDescriptorIds } from './rill-dag.reader';
import { RillReadContext } from './rill-read.context';
import { decodeRillYaml } from './rill-yaml.decoder';

/**
 * The entry point of the Rill Flow descriptor parser: YAML text to the engine's model (`rill-dag.model.ts`).
 * It composes the stages, each in its own module: `rill-yaml.decoder` (YAML to plain JS), `rill-dag.reader`
 * (the top level, which reads resources, mappings and tasks through `rill-resource.reader`,
 * `rill-mapping.reader` and `tasks/`, one reader per task category) and `rill-dag.graph` (the `next` graph
 * checks). `rill-value.reader` is the value coercion they all share.
 */

export type { RillDescriptorIds } from './rill-dag.reader';

export type RillParseResult =
  | { readonly ok: true; readonly dag: RillDag; readonly warnings?: string[] }
  | { readonly ok: false; readonly errors: ValidationErrorItem[] };

/**
 * Parses and validates a Rill Flow YAML descriptor (`add_descriptor.json`'s body) into the engine's model.
 * Reports every problem it finds, one item each, with a JSON path into the descriptor (`tasks[2].next`,
 * `tasks[1].choices[0].tasks[0].name`); YAML syntax errors have path `$` and say where they are.
 * Warnings are for what Baton accepts but changes or ignores (defaults Rill Flow would not fill in, fields
 * Rill Flow itself ignores, unknown fields).
 */
export function parseRillDescriptor(yamlText: string, ids: RillDescriptorIds): RillParseResult {
  const decoded = decodeRillYaml(yamlText);
  if (!decoded.ok) return decoded;
  const ctx = new RillReadContext();
  for (const warning of decoded.warnings) ctx.warn('$', warning);
  const dag = readRillDag(ctx, decoded.body, ids);
  if (ctx.errors.length || !dag) return { ok: false, errors: ctx.errors };
  return ctx.warnings.length ? { ok: true, dag, warnings: ctx.warnings } : { ok: true, dag };
}
