import { daprWorkflowIdFor } from '@app/contracts';
import { dialectsOf, dialectsOfSummary, rillTaskStatusOf } from './dialects';

describe("a workflow's statuses in the other dialects", () => {
  const id = '6f1c2d3e-4a5b-4c6d-8e7f-901234567890';

  it('has none when started through Conductor', () => {
    expect(dialectsOf({ workflowId: id, status: 'RUNNING', correlationId: 'order-7' })).toEqual([]);
  });

  it("shows a Rill Flow DAG's execution id and its lower-case status", () => {
    expect(dialectsOf({ workflowId: id, status: 'PAUSED', workflowDefinition: { rill: { descriptorId: 'biz:feat' } } })).toEqual([{ dialect: 'Rill Flow', id: `biz:feat_c_${id}`, status: 'running' }]);
    expect(dialectsOf({ workflowId: id, status: 'TIMED_OUT', workflowDefinition: { rill: { descriptorId: 'biz:feat' } } })[0].status).toBe('failed');
  });

  it('shows a Dapr instance by the instance id it was started with, and its runtimeStatus', () => {
    const wf = { workflowId: daprWorkflowIdFor('order_42'), correlationId: 'order_42', status: 'PAUSED' as const };
    expect(dialectsOf(wf)).toEqual([{ dialect: 'Dapr', id: 'order_42', status: 'SUSPENDED' }]);
    // Any script's letters, as the Dapr API accepts them.
    expect(dialectsOf({ workflowId: daprWorkflowIdFor('auftrag_ä'), correlationId: 'auftrag_ä', status: 'RUNNING' })).toEqual([{ dialect: 'Dapr', id: 'auftrag_ä', status: 'RUNNING' }]);
    // A uuid instance id is the workflow id itself.
    expect(dialectsOf({ workflowId: id, correlationId: id, status: 'TERMINATED' })).toEqual([{ dialect: 'Dapr', id, status: 'TERMINATED' }]);
    // A correlation id that only looks like an instance id of another workflow is not one.
    expect(dialectsOf({ workflowId: id, correlationId: 'order_42', status: 'RUNNING' })).toEqual([]);
  });

  it("names a Rill task's status, NOT_STARTED before it ran", () => {
    expect([rillTaskStatusOf(undefined), rillTaskStatusOf('SCHEDULED'), rillTaskStatusOf('COMPLETED'), rillTaskStatusOf('COMPLETED_WITH_ERRORS'), rillTaskStatusOf('CANCELED')]).toEqual(['NOT_STARTED', 'READY', 'SUCCEED', 'SKIPPED', 'FAILED']);
  });

  it('reads a search row: a Rill Flow DAG by its name among the registered ones, a Dapr instance by its ids', () => {
    const dags = new Set(['biz:feat']);
    expect(dialectsOfSummary({ workflowId: id, workflowType: 'biz:feat', status: 'COMPLETED' }, dags)).toEqual([{ dialect: 'Rill Flow', id: `biz:feat_c_${id}`, status: 'succeed' }]);
    expect(dialectsOfSummary({ workflowId: id, workflowType: 'biz:other', status: 'COMPLETED' }, dags)).toEqual([]);
    expect(dialectsOfSummary({ workflowId: daprWorkflowIdFor('o_1'), workflowType: 'orders', correlationId: 'o_1', status: 'RUNNING' }, dags)).toEqual([{ dialect: 'Dapr', id: 'o_1', status: 'RUNNING' }]);
  });
});
