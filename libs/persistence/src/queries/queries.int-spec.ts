import { Task, TaskStatus, Workflow, WorkflowDef } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { TaskQueue } from '../task-queue';
import { DefinitionQueries } from './definition.queries';
import { ExecutionQueries } from './execution.queries';

/** The owners' query modules on real Postgres, with rows written the way their owners write them. */
describe('the published read side', () => {
  let db: TestDatabase;
  let ds: DataSource;

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_queries'));
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  describe('ExecutionQueries', () => {
    let queries: ExecutionQueries;
    let queue: TaskQueue;

    beforeAll(() => {
      queue = new TaskQueue(ds);
      queries = new ExecutionQueries(ds, queue);
    });

    /** A running workflow with one task per given status, in that order; the SCHEDULED ones queued on `queueName`. */
    const seed = async (queueName: string, statuses: TaskStatus[]): Promise<{ workflowId: string; taskIds: string[] }> => {
      const workflowId = randomUUID();
      const taskIds = statuses.map(() => randomUUID());
      const workflow: Partial<Workflow> = { workflowId, workflowName: 'wf', status: 'RUNNING' };
      await ds.transaction(async (m) => {
        await m.query(
          `INSERT INTO workflow (workflow_id, workflow_name, workflow_version, status, priority, version, data, create_time, update_time)
           VALUES ($1, 'wf', 1, 'RUNNING', 0, 1, $2, now(), now())`,
          [workflowId, workflow],
        );
        // Inserted last to first, so an answer in seq order is the query's doing.
        for (let seq = statuses.length; seq >= 1; seq--) {
          const taskId = taskIds[seq - 1];
          const task: Partial<Task> = { taskId, status: statuses[seq - 1], scheduledTime: 1_000, pollCount: 0, updateTime: 1_000, startTime: 0 };
          await m.query(
            `INSERT INTO task (task_id, workflow_id, seq, reference_task_name, task_type, status, version, data, update_time)
             VALUES ($1, $2, $3, $4, $5, $6, 1, $7, now())`,
            [taskId, workflowId, seq, `t${seq}`, queueName, statuses[seq - 1], task],
          );
        }
        const queued = taskIds.filter((_, i) => statuses[i] === TaskStatus.Scheduled);
        await queue.push(
          m,
          queued.map((taskId) => ({ taskId, queueName, taskDefName: queueName, workflowId, shard: 0, priority: 0, visibleAt: 0, leaseMs: 60_000, pollCount: 0 })),
          Date.now(),
        );
      });
      return { workflowId, taskIds };
    };

    it('answers a workflow without its tasks, or with them in order', async () => {
      const { workflowId, taskIds } = await seed('q_order', [TaskStatus.Completed, TaskStatus.Scheduled]);

      expect(await queries.workflow(workflowId, false)).toEqual({ workflowId, workflowName: 'wf', status: 'RUNNING' });
      const withTasks = await queries.workflow(workflowId, true);
      expect(withTasks?.tasks?.map((t) => [t.taskId, t.status])).toEqual([
        [taskIds[0], TaskStatus.Completed],
        [taskIds[1], TaskStatus.Scheduled],
      ]);
    });

    it('shows a lease at once: the leased task IN_PROGRESS with its worker, in a workflow and on its own', async () => {
      const { workflowId, taskIds } = await seed('q_lease', [TaskStatus.Scheduled, TaskStatus.Scheduled]);
      const {
        tasks: [leased],
      } = await queue.lease('q_lease', 1, 'worker-1');

      const tasks = (await queries.workflow(workflowId, true))!.tasks!;
      const byId = new Map(tasks.map((t) => [t.taskId, t]));
      expect(byId.get(leased.taskId)).toMatchObject({ status: TaskStatus.InProgress, workerId: 'worker-1', pollCount: 1 });
      const other = taskIds.find((id) => id !== leased.taskId)!;
      expect(byId.get(other)?.status).toBe(TaskStatus.Scheduled);
      expect(await queries.task(leased.taskId)).toMatchObject({ status: TaskStatus.InProgress, workerId: 'worker-1' });
    });

    it('answers null for an unknown id and for one that is not a UUID', async () => {
      expect(await queries.workflow(randomUUID(), true)).toBeNull();
      expect(await queries.task(randomUUID())).toBeNull();
      expect(await queries.workflow('not-a-uuid', false)).toBeNull();
      expect(await queries.task('not-a-uuid')).toBeNull();
    });
  });

  describe('DefinitionQueries', () => {
    let queries: DefinitionQueries;

    beforeAll(() => {
      queries = new DefinitionQueries(ds);
    });

    const workflowDef = (name: string, version: number): WorkflowDef => ({ name, version, tasks: [] }) as unknown as WorkflowDef;
    const insertWorkflowDef = (def: WorkflowDef, m: { query: DataSource['query'] } = ds) =>
      m.query(`INSERT INTO workflow_def (name, version, definition, create_time, update_time) VALUES ($1, $2, $3, now(), now())`, [
        def.name,
        def.version,
        def,
      ]);

    it("answers a given version or the newest one, and reads inside the caller's transaction", async () => {
      await insertWorkflowDef(workflowDef('wf_versions', 1));
      await insertWorkflowDef(workflowDef('wf_versions', 2));

      expect((await queries.workflowDef('wf_versions', 1))?.version).toBe(1);
      expect((await queries.workflowDef('wf_versions'))?.version).toBe(2);
      expect(await queries.workflowDef('wf_unknown')).toBeNull();

      const inTransaction = ds.transaction(async (m) => {
        await insertWorkflowDef(workflowDef('wf_in_tx', 1), m);
        expect((await queries.workflowDef('wf_in_tx', undefined, m))?.version).toBe(1);
        expect(await queries.workflowDef('wf_in_tx')).toBeNull();
        throw new Error('roll back');
      });
      await expect(inTransaction).rejects.toThrow('roll back');
    });

    it('answers a Rill Flow descriptor by alias or by version, and lists the versions with their aliases', async () => {
      for (const version of [1, 2]) {
        await ds.query(
          `INSERT INTO rill_descriptor (business_id, feature_name, version, yaml, dag, create_time) VALUES ('biz', 'feat', $1, $2, $3, to_timestamp($4 / 1000.0))`,
          [version, `yaml ${version}`, { v: version }, version * 1000],
        );
      }
      await ds.query(
        `INSERT INTO rill_descriptor_alias (business_id, feature_name, alias, version, update_time)
         VALUES ('biz', 'feat', 'release', 1, now()), ('biz', 'feat', 'beta', 2, now()), ('biz', 'feat', 'alpha', 2, now())`,
      );

      expect(await queries.rillDescriptor('biz', 'feat', { alias: 'release' })).toEqual({ version: 1, yaml: 'yaml 1', dag: { v: 1 }, createTime: 1000 });
      expect(await queries.rillDescriptor('biz', 'feat', { version: 2 })).toEqual({ version: 2, yaml: 'yaml 2', dag: { v: 2 }, createTime: 2000 });
      expect(await queries.rillDescriptor('biz', 'feat', { alias: 'gone' })).toBeNull();
      expect(await queries.rillDescriptorVersions('biz', 'feat')).toEqual([
        { version: 1, createTime: 1000, aliases: ['release'] },
        { version: 2, createTime: 2000, aliases: ['alpha', 'beta'] },
      ]);
    });
  });
});
