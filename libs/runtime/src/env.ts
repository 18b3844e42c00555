import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';

/** Boot stops with this, naming every bad variable at once (not just the first). */
export class ConfigError extends Error {
  constructor(readonly app: string, readonly problems: readonly string[]) {
    super(`Invalid configuration for ${app}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment into a validated env class whose property names are the variable names.
 * Only declared variables are read; strings are converted by the class's `@Type` hints.
 */
export function parseEnv<T extends object>(cls: new () => T, env: NodeJS.ProcessEnv, app: string): T {
  // An empty variable counts as unset, so `PORT= npm start` falls back to the default.
  const plain = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = plainToInstance(cls, plain, { exposeDefaultValues: true });
  // One problem per variable: its type or format first (a non-number is not also "out of range").
  const problems = validateSync(parsed, { forbidUnknownValues: false }).map((e) => {
    const c = e.constraints ?? {};
    const msg = c.isInt ?? c.isString ?? c.matches ?? c.isIn ?? Object.values(c)[0];
    return `${msg} (got ${JSON.stringify(plain[e.property] ?? null)})`;
  });
  if (problems.length) throw new ConfigError(app, problems);
  return parsed;
}
