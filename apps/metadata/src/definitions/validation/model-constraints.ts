import { validateModel, ValidationErrorItem } from '@app/contracts';

/** Range and length constraints: when one breaks next to a type or presence constraint, the latter is the news. */
const BOUND = /must not be (less|greater) than|must be [<>]=|shorter than or equal to|longer than or equal to|is only supported/;

/**
 * The contract's class-validator constraints, one item per field: a value of the wrong type (or none) also
 * breaks the field's range or length constraint (`'ten'` is not an integer and not >= 0), which says
 * nothing more. The contract's Conductor-style messages carry a `${value}` placeholder, filled in here.
 */
export function checkModel<T extends object>(cls: new () => T, value: unknown, path: string): ValidationErrorItem[] {
  const items = validateModel(cls, value, path);
  const chosen = new Map<string, ValidationErrorItem>();
  for (const item of items) {
    const current = chosen.get(item.path);
    if (!current || (BOUND.test(current.message) && !BOUND.test(item.message))) chosen.set(item.path, item);
  }
  return items
    .filter((item) => chosen.get(item.path) === item)
    .map((e) => (e.message.includes('${value}') ? { ...e, message: e.message.split('${value}').join(String(e.invalidValue)) } : e));
}
