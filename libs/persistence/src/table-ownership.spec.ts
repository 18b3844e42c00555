import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { getMetadataArgsStorage } from 'typeorm';
import { AppName, TABLE_OWNERS, TableOwnership } from './table-ownership';
import { TaskQueue } from './task-queue';
import { scanSource, tablesCreatedBy, TableAccess, taskQueueCalls } from './testing/table-access.scanner';

/**
 * CONVENTIONS §5, the database as a boundary: one writing app per table (TABLE_OWNERS), the other apps
 * reading through the owner's query module. Scans the apps' sources (not their specs) and this lib's
 * query modules; what the scan can and cannot see is written on the scanner.
 */

const ROOT = join(__dirname, '..', '..', '..');
const APPS_DIR = join(ROOT, 'apps');
const QUERIES_DIR = join(__dirname, 'queries');
const MIGRATIONS_DIR = join(__dirname, 'migrations');
const ENTITIES_DIR = join(__dirname, 'entities');

const OWNERS: Readonly<Record<string, TableOwnership>> = TABLE_OWNERS;
const TABLES = new Set(Object.keys(OWNERS));
const isSpec = (file: string) => /\.(spec|int-spec|e2e-spec)\.ts$/.test(file);

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourcesUnder(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') && !isSpec(name) ? [path] : [];
  });
}

const apps = readdirSync(APPS_DIR).filter((name) => statSync(join(APPS_DIR, name, 'src')).isDirectory());

/** Entity class name → table, from TypeORM's own decorator metadata (every file under entities/ loaded). */
const entityTables = new Map<string, string>();
beforeAll(async () => {
  for (const file of readdirSync(ENTITIES_DIR).filter((f) => f.endsWith('.ts') && !isSpec(f))) await import(join(ENTITIES_DIR, file));
  for (const t of getMetadataArgsStorage().tables) {
    if (typeof t.target === 'function' && t.name) entityTables.set(t.target.name, t.name);
  }
});

function scan(file: string): Array<TableAccess & { file: string }> {
  return scanSource(readFileSync(file, 'utf8'), entityTables, TABLES).map((a) => ({ ...a, file: relative(ROOT, file) }));
}
const where = (a: { file: string; line: number; match: string }) => `${a.file}:${a.line} (${a.match.replace(/\s+/g, ' ')})`;

/** The tables written through the TaskQueue component, each with which app may call which writing operation. */
const queueTables = Object.entries(OWNERS).flatMap(([table, o]) => (o.writtenThrough?.component === TaskQueue ? [{ table, operations: o.writtenThrough.operations }] : []));
/** The apps that may call a TaskQueue operation: those every table it writes gives it to (undefined: it writes none). */
function sidesOf(operation: string): readonly AppName[] | undefined {
  const given = queueTables.flatMap(({ operations }) => {
    const sides = (operations as Record<string, readonly AppName[] | undefined>)[operation];
    return sides ? [sides] : [];
  });
  return given.length ? given.reduce((all, sides) => all.filter((app) => sides.includes(app))) : undefined;
}

describe('table ownership', () => {
  it('gives every table the migrations create an owner, and lists no other table', () => {
    const migrations = readdirSync(MIGRATIONS_DIR)
      .filter((f) => f.endsWith('.ts') && !isSpec(f))
      .sort()
      .map((f) => readFileSync(join(MIGRATIONS_DIR, f), 'utf8'));
    const created = tablesCreatedBy(migrations);
    expect(created.size).toBeGreaterThan(0);
    expect([...TABLES].sort()).toEqual([...created].sort());
  });

  it('maps every entity to an owned table', () => {
    expect(entityTables.size).toBeGreaterThan(0);
    const unowned = [...entityTables].filter(([, table]) => !TABLES.has(table)).map(([entity, table]) => `${entity} → ${table}`);
    expect(unowned).toEqual([]);
  });

  describe.each(apps)('apps/%s', (app) => {
    const files = sourcesUnder(join(APPS_DIR, app, 'src'));

    it('writes only the tables it owns', () => {
      const foreign = files
        .flatMap(scan)
        .filter((a) => a.kind === 'write' && OWNERS[a.table]?.owner !== app)
        .map((a) => `${where(a)} writes ${a.table}, owned by ${OWNERS[a.table]?.owner ?? 'nobody (not in TABLE_OWNERS)'}`);
      expect(foreign).toEqual([]);
    });

    it("reads other apps' tables only through their query modules", () => {
      const direct = files
        .flatMap(scan)
        .filter((a) => a.kind === 'read' && OWNERS[a.table]?.owner !== app)
        .map((a) => {
          const through = OWNERS[a.table]?.readThrough?.map((c) => c.name).join(' or ') ?? 'nothing: only its owner reads it';
          return `${where(a)} reads ${a.table} (owned by ${OWNERS[a.table]?.owner ?? 'nobody'}): read it through ${through}`;
        });
      expect(direct).toEqual([]);
    });

    it('calls only the task queue operations of its side', () => {
      const wrong = files.flatMap((file) =>
        taskQueueCalls(readFileSync(file, 'utf8')).flatMap(({ operation, line }) => {
          const sides = sidesOf(operation);
          if (!sides || sides.includes(app as AppName)) return [];
          return [`${relative(ROOT, file)}:${line} calls TaskQueue.${operation}, which is for ${sides.join(', ')} only`];
        }),
      );
      expect(wrong).toEqual([]);
    });
  });

  describe('the query modules', () => {
    const files = sourcesUnder(QUERIES_DIR);

    it('exist', () => expect(files.length).toBeGreaterThan(0));

    it('never write', () => {
      const writes = files.flatMap(scan).filter((a) => a.kind === 'write').map((a) => `${where(a)} writes ${a.table}`);
      expect(writes).toEqual([]);
    });

    it.each(files.map((f) => [relative(__dirname, f), f]))("%s reads one owner's tables", (_name, file) => {
      const owners = new Set(scan(file).filter((a) => a.kind === 'read').map((a) => OWNERS[a.table]?.owner));
      expect(owners.size).toBe(1);
    });
  });

  describe('the TaskQueue component', () => {
    const file = join(__dirname, 'task-queue.ts');
    const accesses = scan(file);
    const source = readFileSync(file, 'utf8');
    // Each write belongs to the method it sits in: the last public class member declared above it (a
    // private helper's writes count for the public operation declared before it, which calls it).
    const members = [...source.matchAll(/^ {2}(?:async\s+)?(\w+)\s*\(/gm)].map((m) => ({ name: m[1], line: source.slice(0, m.index).split('\n').length }));
    const memberAt = (line: number) => members.filter((m) => m.line <= line).pop()?.name;

    it('writes only the tables written through it, each writing operation given to a side', () => {
      const writes = accesses.filter((a) => a.kind === 'write');
      expect(queueTables.map((t) => t.table).sort()).toEqual(['task_limit_state', 'task_queue']);
      expect(writes.filter((a) => !queueTables.some((t) => t.table === a.table)).map(where)).toEqual([]);
      for (const { table, operations } of queueTables) {
        const writing = new Set(writes.filter((w) => w.table === table).map((w) => memberAt(w.line)));
        expect({ table, writing: [...writing].sort() }).toEqual({ table, writing: Object.keys(operations).sort() });
      }
    });

    it('reads only the tables written through it or that list it to be read through', () => {
      const reads = accesses.filter((a) => a.kind === 'read');
      expect(reads.length).toBeGreaterThan(0);
      const allowed = (table: string) => queueTables.some((t) => t.table === table) || (OWNERS[table]?.readThrough ?? []).includes(TaskQueue);
      expect(reads.filter((a) => !allowed(a.table)).map((a) => `${where(a)} reads ${a.table}`)).toEqual([]);
    });
  });
});

describe('the table access scanner', () => {
  const entities = new Map([
    ['TaskEntity', 'task'],
    ['WorkflowDefEntity', 'workflow_def'],
  ]);
  const tables = new Set(['task', 'task_queue', 'workflow_def', 'outbox']);
  const writes = (source: string) =>
    scanSource(source, entities, tables)
      .filter((a) => a.kind === 'write')
      .map((a) => a.table);
  const reads = (source: string) =>
    scanSource(source, entities, tables)
      .filter((a) => a.kind === 'read')
      .map((a) => a.table);

  it.each([
    ["m.query('INSERT INTO outbox (a) VALUES ($1)')", ['outbox']],
    ['m.query(`insert into "public"."task_queue"(a) values (1)`)', ['task_queue']],
    ["m.query('DELETE FROM task WHERE task_id = $1')", ['task']],
    ['m.query(`UPDATE task_queue q SET leased_until = now() FROM picked`)', ['task_queue']],
    ["m.query('UPDATE task AS t SET data = $1')", ['task']],
    ["m.query('TRUNCATE task_queue')", ['task_queue']],
    ['m.query(`DELETE FROM ${table}`)', ['?']],
    ["m.query('INSERT INTO ' + table)", ['?']],
    ['m.query(`INSERT INTO outbox (a) VALUES (1) ON CONFLICT (a) DO UPDATE SET a = EXCLUDED.a`)', ['outbox']],
    ["m.query('SELECT task_id FROM task_queue FOR UPDATE SKIP LOCKED')", []],
    ["m.query('SELECT 1 FROM task WHERE id = $1 FOR UPDATE')", []],
    ['await m.save(TaskEntity, row)', ['task']],
    ['await m.getRepository(TaskEntity).delete({ taskId })', ['task']],
    ['ds.createQueryBuilder().insert().into(TaskEntity).values(v)', ['task']],
    ['ds.createQueryBuilder().update(TaskEntity).set(v)', ['task']],
    ['ds.createQueryBuilder().delete().from(TaskEntity)', ['task']],
    ['const repo = ds.getRepository(WorkflowDefEntity);\nawait repo.upsert(row, ["name"]);', ['workflow_def']],
    ['constructor(@InjectRepository(TaskEntity) private readonly tasks: Repository<TaskEntity>) {}\nf() { this.tasks.save(x); }', ['task']],
    ['const repo = ds.getRepository(WorkflowDefEntity);\nawait repo.findOne({ where: { name } });', []],
    ['this.cache.delete(key); seen.clear();', []],
    ["// INSERT INTO task (was: m.save(TaskEntity, row))\nconst s = 'a // b'; /* DELETE FROM task */", []],
  ])('%s writes %j', (source, expected) => {
    expect(writes(source)).toEqual(expected);
  });

  it.each([
    ["m.query('SELECT d.version FROM workflow_def d JOIN task t USING (x)')", ['workflow_def', 'task']],
    ["m.query('SELECT * FROM unnest($1::uuid[]) AS t(id)')", []],
    ["import { TaskEntity } from '@app/persistence';", ['task']],
    ["import { TaskDefEntity } from '@app/persistence';", []],
    ['const message = `${type} must be followed by a JOIN task in the same list`;', []],
    ["m.query(`WITH leased AS (UPDATE task_queue q SET a = 1 RETURNING q.task_id) SELECT t.data FROM leased l JOIN task t USING (task_id)`)", ['task']],
  ])('%s reads %j', (source, expected) => {
    expect(reads(source)).toEqual(expected);
  });
});
