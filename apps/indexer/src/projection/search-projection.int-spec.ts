import { TaskEvent, WorkflowEvent } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { SearchProjectionRepository } from './search-projection.repository';

const workflowEvent = (workflowId: string, version: number, status: WorkflowEvent['status']): WorkflowEvent =>
  ({
    eventId: randomUUID(),
    type: 'workflow.updated',
    workflowId,
    status,
    version,
    occurredAt: 1,
    workflow: { workflowId, workflowName: 'wf', status, startTime: 1000, updateTime: 1000 + version },
  }) as unknown as WorkflowEvent;

const taskEvent = (taskId: string, version: number, status: TaskEvent['status']): TaskEvent =>
  ({
    eventId: randomUUID(),
    type: 'start.begin',
    workflowId: randomUUID(),
    taskId,
    attempt: 1,
    status,
    version,
    occurredAt: 1,
    task: { taskId, taskType: 'greet', status, updateTime: 1000 + version },
  }) as unknown as TaskEvent;

describe('the Postgres search projection', () => {
  let db: TestDatabase;
  let ds: DataSource;
  let projection: SearchProjectionRepository;

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_index'));
    projection = new SearchProjectionRepository(ds);
  });

  afterAll(async () => {
    await ds?.destroy();
    await db?.drop();
  });

  it('keeps the newest version of a workflow whatever order events arrive in, redeliveries included', async () => {
    const id = randomUUID();

    await projection.write([workflowEvent(id, 2, 'RUNNING')], []);
    await projection.write([workflowEvent(id, 3, 'COMPLETED')], []);
    await projection.write([workflowEvent(id, 1, 'RUNNING')], []);
    await projection.write([workflowEvent(id, 3, 'COMPLETED')], []);

    const rows = await ds.query('SELECT version, status, workflow_type FROM search_workflow WHERE workflow_id = $1', [id]);
    expect(rows).toEqual([{ version: 3, status: 'COMPLETED', workflow_type: 'wf' }]);
  });

  it('projects a batch with several events for one task as its newest', async () => {
    const id = randomUUID();

    await projection.write([], [taskEvent(id, 1, 'SCHEDULED'), taskEvent(id, 3, 'COMPLETED'), taskEvent(id, 2, 'IN_PROGRESS')]);

    const rows = await ds.query('SELECT version, status FROM search_task WHERE task_id = $1', [id]);
    expect(rows).toEqual([{ version: 3, status: 'COMPLETED' }]);
  });

  it('deletes the tasks a workflow event says its run dropped (a restart, a rerun, keepLastN)', async () => {
    const kept = randomUUID();
    const dropped = randomUUID();
    await projection.write([], [taskEvent(kept, 1, 'COMPLETED'), taskEvent(dropped, 1, 'COMPLETED')]);
    const workflowId = randomUUID();
    await projection.write([{ ...workflowEvent(workflowId, 4, 'RUNNING'), droppedTaskIds: [dropped] }], []);
    const rows = await ds.query('SELECT task_id FROM search_task WHERE task_id = ANY($1::uuid[])', [[kept, dropped]]);
    expect(rows).toEqual([{ task_id: kept }]);
  });
});
