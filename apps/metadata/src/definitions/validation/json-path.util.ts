/** Plain JSON objects as they arrive on the wire: every field is checked before it is trusted. */
export type Json = Record<string, unknown>;

export const isJson = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** `null` counts as absent, as in Conductor's Jackson models. */
export const isPresent = (value: unknown): boolean => value !== undefined && value !== null;

export const isBlank = (value: unknown): boolean => !isPresent(value) || (typeof value === 'string' && value.trim() === '');

/** `base.key`, or `base["key"]` when the key is not a plain identifier, so every path reads back unambiguously. */
export function prop(base: string, key: string): string {
  if (/^[A-Za-z_$][\w$]*$/.test(key)) return base ? `${base}.${key}` : key;
  return `${base}[${JSON.stringify(key)}]`;
}

export const at = (base: string, index: number): string => `${base}[${index}]`;
