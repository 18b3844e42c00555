import { plainToInstance } from 'class-transformer';
import { ValidationError, validateSync } from 'class-validator';
import type { ValidationErrorItem } from './errors';

type Ctor<T> = new () => T;

/**
 * Validates a plain value against a class-validator model and reports one item per broken constraint,
 * each with the JSON path of the field (`tasks[0].taskReferenceName`), as Conductor's validationErrors do.
 */
export function validateModel<T extends object>(cls: Ctor<T>, value: unknown, rootPath = ''): ValidationErrorItem[] {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return [{ path: rootPath || '$', message: `must be a JSON object`, invalidValue: value }];
  }
  const instance = plainToInstance(cls, value);
  const items = flatten(validateSync(instance, { forbidUnknownValues: false }), rootPath);
  // Two constraints on one field may say the same thing (not a string / empty): report it once.
  const seen = new Set<string>();
  return items.filter((i) => !seen.has(`${i.path}\n${i.message}`) && !!seen.add(`${i.path}\n${i.message}`));
}

function flatten(errors: ValidationError[], prefix: string): ValidationErrorItem[] {
  const items: ValidationErrorItem[] = [];
  for (const error of errors) {
    const path = joinPath(prefix, error.property);
    for (const message of Object.values(error.constraints ?? {})) {
      items.push({ path, message, invalidValue: error.value });
    }
    items.push(...flatten(error.children ?? [], path));
  }
  return items;
}

const joinPath = (prefix: string, property: string): string =>
  /^\d+$/.test(property) ? `${prefix}[${property}]` : prefix ? `${prefix}.${property}` : property;

/** Baton's ids (workflows, tasks) are uuids: anything else cannot name one. */
export const isUuid = (id: unknown): id is string =>
  typeof id === 'string' && /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(id);
