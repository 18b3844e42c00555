import { jsonPathAt, jsonPathProp, TaskNode } from '@app/contracts';

/** Plain JSON objects as they arrive on the wire: every field is checked before it is trusted. */
export type Json = Record<string, unknown>;

export const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `null` counts as absent, as in Conductor's Jackson models. */
export const isPresent = (value: unknown): boolean => value !== undefined && value !== null;

export const isBlank = (value: unknown): boolean => !isPresent(value) || (typeof value === 'string' && value.trim() === '');

// The graph's paths and the validator's must read the same, so both use the contracts' helpers.
export { jsonPathProp as prop, jsonPathAt as at };

/**
 * A task of the definition graph as it arrived. The validator builds the graph from raw JSON, so the
 * `WorkflowTask` the graph promises is exactly what is being checked: this is the one place it is read
 * back as untrusted JSON (buildDefinitionGraph only keeps JSON objects as tasks).
 */
export const rawTask = (node: TaskNode): Json => node.task as unknown as Json;
