import { BatonError, ErrorCode, ValidationErrorItem } from '@app/contracts';

const INT32_MAX = 2_147_483_647;
const TRUE_WORDS = new Set(['true', 'on', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'off', 'no', '0']);

/** Absent, or written as absent by a client that prints its null (`None`, `null`). */
const isAbsent = (raw: string | undefined): boolean => raw === undefined || raw.trim() === '' || /^(none|null)$/i.test(raw.trim());

/**
 * Query-parameter parsing for the Conductor endpoints. Each parser returns the value or records a
 * problem; `check` then throws one 400 listing every problem.
 */
export class Params {
  private readonly problems: ValidationErrorItem[] = [];

  /** An integer parameter; unless told otherwise, bounded to what a 32-bit column holds. */
  int(name: string, raw: string | undefined, opts: { min?: number; max?: number; fallback?: number } = {}): number | undefined {
    if (isAbsent(raw)) return opts.fallback;
    const value = Number(raw);
    const max = opts.max ?? INT32_MAX;
    if (!Number.isInteger(value)) return this.fail(name, `${name} must be an integer`, raw);
    if (opts.min !== undefined && value < opts.min) return this.fail(name, `${name} must be >= ${opts.min}`, raw);
    if (value > max) return this.fail(name, `${name} must be <= ${max}`, raw);
    return value;
  }

  /** A text parameter of at most `maxLength` characters. */
  text(name: string, raw: string | undefined, maxLength: number): string | undefined {
    if (raw === undefined || raw === '') return undefined;
    if (raw.length > maxLength) return this.fail(name, `${name} must be at most ${maxLength} characters`, `${raw.slice(0, 40)}…`);
    return raw;
  }

  /** One of the given words (Conductor's enums: exact, upper case), or the fallback when absent. */
  oneOf<T extends string>(name: string, raw: string | undefined, allowed: readonly T[], fallback: T): T {
    if (isAbsent(raw)) return fallback;
    if ((allowed as readonly string[]).includes(raw as string)) return raw as T;
    this.fail(name, `${name} must be one of ${allowed.join(', ')}`, raw);
    return fallback;
  }

  /**
   * A boolean parameter as Conductor's Spring binding reads one: true / on / yes / 1 and false / off / no /
   * 0, in any case (the Python SDK sends `True` and `False`); `None` or `null` — an absent optional the way
   * the Python SDK writes it — is absent.
   */
  bool(name: string, raw: string | undefined, fallback: boolean): boolean {
    if (isAbsent(raw)) return fallback;
    const value = (raw as string).trim().toLowerCase();
    if (TRUE_WORDS.has(value)) return true;
    if (FALSE_WORDS.has(value)) return false;
    this.fail(name, `${name} must be true or false`, raw);
    return fallback;
  }

  check(): void {
    if (this.problems.length) throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', this.problems);
  }

  private fail(path: string, message: string, invalidValue: unknown): undefined {
    this.problems.push({ path, message, invalidValue });
    return undefined;
  }
}

/** The body must be a JSON object (Conductor binds it to a Map). */
export function requireObject(body: unknown, what: string): Record<string, unknown> {
  if (body === undefined || body === null) return {};
  if (typeof body !== 'object' || Array.isArray(body)) {
    throw new BatonError(ErrorCode.ValidationFailed, 'Validation failed, check below errors for detail.', [
      { path: what, message: `${what} must be a JSON object`, invalidValue: body },
    ]);
  }
  return body as Record<string, unknown>;
}
