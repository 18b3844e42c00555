/**
 * Finds, in TypeScript source text, where a file writes or reads a database table: a regex scan, for
 * table-ownership.spec.ts. It looks at
 *
 * - SQL inside string and template literals (comments skipped): writes are `INSERT INTO t`,
 *   `UPDATE t [alias] SET`, `DELETE FROM t`, `TRUNCATE t`; reads are `FROM t` / `JOIN t` naming a known
 *   table, in a literal that is a statement (it has a `SELECT` or a write), so Conductor's prose about
 *   "a JOIN task" is not one. Keywords match in any case. A write whose table is computed
 *   (`DELETE FROM ${table}`) or missing is reported as the table `?`, so it fails loudly.
 * - TypeORM, by entity class: a write is `<x>.save|insert|update|upsert|delete|remove|…(SomeEntity, …)`
 *   (EntityManager and query builder), `.into(SomeEntity)`, `.delete().from(SomeEntity)`,
 *   `getRepository(SomeEntity).save(…)`, and a write method called on a variable or field bound to a
 *   repository (`x = ….getRepository(SomeEntity)`, `x: Repository<SomeEntity>`,
 *   `@InjectRepository(SomeEntity) x`). Any other mention of an entity class counts as a read.
 *
 * Limits, accepted to stay simple. Not seen: SQL assembled from pieces (`'UPDATE ' + t + ' SET'`), a
 * read in a literal holding only a fragment of a statement (`' FROM task'`), a repository reached
 * through another function, an entity named by a string, a `TaskQueue` imported under another name. A
 * regex literal containing a quote, or a template literal nested in a `${}`, can make the scanner take
 * code for a string. Prose in a string that reads like SQL ("cannot update x set") is reported as a write:
 * a false alarm, never a silent pass. The scanner's own cases in table-ownership.spec.ts pin what it finds.
 */

export interface TableAccess {
  readonly kind: 'write' | 'read';
  /** The table, or `?` when a write's table cannot be told from the text. */
  readonly table: string;
  readonly line: number;
  /** The text that matched, for the failure message. */
  readonly match: string;
}

/** Comments blanked out and the contents of string literals blanked out of `code`; the literals apart. */
export function lex(source: string): { code: string; literals: Array<{ text: string; at: number }> } {
  const code = source.split('');
  const literals: Array<{ text: string; at: number }> = [];
  const blank = (from: number, to: number) => {
    for (let k = from; k < to; k++) if (code[k] !== '\n') code[k] = ' ';
  };
  let i = 0;
  while (i < source.length) {
    const c = source[i];
    const next = source[i + 1];
    if (c === '/' && (next === '/' || next === '*')) {
      const end = next === '/' ? source.indexOf('\n', i) : source.indexOf('*/', i + 2);
      const stop = end < 0 ? source.length : next === '/' ? end : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === "'" || c === '"' || c === '`') {
      let j = i + 1;
      while (j < source.length && source[j] !== c && (c === '`' || source[j] !== '\n')) j += source[j] === '\\' ? 2 : 1;
      literals.push({ text: source.slice(i + 1, j), at: i + 1 });
      blank(i + 1, j);
      i = j + 1;
    } else {
      i++;
    }
  }
  return { code: code.join(''), literals };
}

const SQL_WRITES = [
  /\bINSERT\s+INTO\b\s*([^\s(;]*)/gi,
  /\bDELETE\s+FROM\b\s*([^\s;]*)/gi,
  /\bTRUNCATE\s+(?:TABLE\s+)?(?:ONLY\s+)?([^\s;,]*)/gi,
  /\bUPDATE\s+(?:ONLY\s+)?(?!SET\b)([^\s;]+)\s+(?:(?:AS\s+)?\w+\s+)?SET\b/gi,
];
const SQL_READS = /\b(?:FROM|JOIN)\s+([\w."]+)/gi;
const WRITE_METHOD = '(?:save|insert|update|upsert|delete|remove|softDelete|softRemove|restore|recover|increment|decrement|clear)';

/** `"public"."Task"` → `task`; anything computed → `?`. */
function tableName(raw: string): string {
  const name = raw.replace(/"/g, '').replace(/^public\./i, '').toLowerCase();
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : '?';
}

/**
 * The table accesses in one source file. `entities` maps entity class names to their tables; `tables` is
 * every known table (a `FROM x` naming anything else — a function, a CTE, a subquery — is not a read).
 */
export function scanSource(source: string, entities: ReadonlyMap<string, string>, tables: ReadonlySet<string>): TableAccess[] {
  const { code, literals } = lex(source);
  const lineAt = (index: number) => source.slice(0, index).split('\n').length;
  const found: TableAccess[] = [];

  for (const { text, at } of literals) {
    let statement = /\bSELECT\b/i.test(text);
    for (const pattern of SQL_WRITES) {
      for (const m of text.matchAll(pattern)) {
        statement = true;
        found.push({ kind: 'write', table: tableName(m[1]), line: lineAt(at + m.index!), match: m[0] });
      }
    }
    if (!statement) continue; // prose ("must be followed by a JOIN task"), not SQL
    for (const m of text.matchAll(SQL_READS)) {
      const table = tableName(m[1]);
      if (tables.has(table)) found.push({ kind: 'read', table, line: lineAt(at + m.index!), match: m[0] });
    }
  }

  const entityWrite = (m: RegExpMatchArray, entity: string) => {
    const table = entities.get(entity);
    if (table) found.push({ kind: 'write', table, line: lineAt(m.index!), match: m[0] });
  };
  for (const m of code.matchAll(new RegExp(`\\.${WRITE_METHOD}\\(\\s*(\\w+)`, 'g'))) entityWrite(m, m[1]);
  for (const m of code.matchAll(/\.into\(\s*(\w+)/g)) entityWrite(m, m[1]);
  for (const m of code.matchAll(/\.delete\(\s*\)\s*\.from\(\s*(\w+)/g)) entityWrite(m, m[1]);
  for (const m of code.matchAll(new RegExp(`getRepository\\(\\s*(\\w+)\\s*\\)\\s*\\.${WRITE_METHOD}\\(`, 'g'))) entityWrite(m, m[1]);

  const repositories = new Map<string, string>();
  for (const m of code.matchAll(/(\w+)\s*=\s*[\w.]*getRepository\(\s*(\w+)\s*\)/g)) repositories.set(m[1], m[2]);
  for (const m of code.matchAll(/(\w+)\s*[?!]?:\s*Repository<\s*(\w+)\s*>/g)) repositories.set(m[1], m[2]);
  for (const m of code.matchAll(/@InjectRepository\(\s*(\w+)\s*\)\s*(?:(?:private|protected|public|readonly)\s+)*(\w+)/g)) repositories.set(m[2], m[1]);
  for (const [variable, entity] of repositories) {
    for (const m of code.matchAll(new RegExp(`\\b${variable}\\s*\\.\\s*${WRITE_METHOD}\\(`, 'g'))) entityWrite(m, entity);
  }

  for (const [entity, table] of entities) {
    for (const m of code.matchAll(new RegExp(`\\b${entity}\\b`, 'g'))) found.push({ kind: 'read', table, line: lineAt(m.index!), match: m[0] });
  }
  return found;
}

/** The operations called on a `TaskQueue`-typed field, parameter or variable (`this.queue.lease(…)` → `lease`). */
export function taskQueueCalls(source: string): Array<{ operation: string; line: number }> {
  const { code } = lex(source);
  const names = new Set([...code.matchAll(/(\w+)\s*[?!]?:\s*TaskQueue\b/g)].map((m) => m[1]));
  return [...names].flatMap((name) =>
    [...code.matchAll(new RegExp(`\\b${name}\\s*\\.\\s*(\\w+)\\s*\\(`, 'g'))].map((m) => ({
      operation: m[1],
      line: source.slice(0, m.index!).split('\n').length,
    })),
  );
}

/**
 * The tables the migrations leave behind, in order: `CREATE TABLE` adds, `DROP TABLE` removes, `ALTER TABLE
 * x RENAME TO y` renames — in each migration's `up` (the text before its `down`).
 */
export function tablesCreatedBy(migrations: readonly string[]): Set<string> {
  const tables = new Set<string>();
  const ddl =
    /\b(?:CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?([\w."]+)|DROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?([\w."]+)|ALTER\s+TABLE\s+(?:IF\s+EXISTS\s+)?([\w."]+)\s+RENAME\s+TO\s+([\w."]+))/gi;
  for (const source of migrations) {
    const up = source.split(/\basync\s+down\s*\(/)[0];
    for (const { text } of lex(up).literals) {
      for (const m of text.matchAll(ddl)) {
        if (m[1]) tables.add(tableName(m[1]));
        if (m[2]) tables.delete(tableName(m[2]));
        if (m[3]) {
          tables.delete(tableName(m[3]));
          tables.add(tableName(m[4]));
        }
      }
    }
  }
  return tables;
}
