import { BatonError, ErrorCode, IdempotencyStrategy, WorkflowStatus } from '@app/contracts';
import { idempotentStart } from './workflow.service';

const running = { workflowId: 'w-0', status: WorkflowStatus.Running };
const completed = { workflowId: 'w-0', status: WorkflowStatus.Completed };
const paused = { workflowId: 'w-0', status: WorkflowStatus.Paused };

describe('a start under an idempotency key', () => {
  it.each<[string, IdempotencyStrategy, Array<{ workflowId: string; status: WorkflowStatus }>, { existing: string } | { generation: number } | 'conflict']>([
    ['the first start of a key starts generation 0, whatever the strategy', IdempotencyStrategy.Fail, [], { generation: 0 }],
    ['FAIL: refused while any earlier one exists', IdempotencyStrategy.Fail, [running], 'conflict'],
    ['FAIL: refused after it ended, too', IdempotencyStrategy.Fail, [completed], 'conflict'],
    ['RETURN_EXISTING: the latest one', IdempotencyStrategy.ReturnExisting, [completed, { workflowId: 'w-1', status: WorkflowStatus.Running }], { existing: 'w-1' }],
    ['FAIL_ON_RUNNING: refused while the latest runs', IdempotencyStrategy.FailOnRunning, [running], 'conflict'],
    ['FAIL_ON_RUNNING: refused while the latest is paused', IdempotencyStrategy.FailOnRunning, [paused], 'conflict'],
    ['FAIL_ON_RUNNING: the next generation once the latest ended', IdempotencyStrategy.FailOnRunning, [completed, { workflowId: 'w-1', status: WorkflowStatus.Failed }], { generation: 2 }],
  ])('%s', (_, strategy, earlier, expected) => {
    if (expected === 'conflict') {
      expect(() => idempotentStart('orders', 'k-1', strategy, earlier)).toThrow(expect.objectContaining({ code: ErrorCode.WorkflowConflict }) as unknown as BatonError);
      return;
    }
    expect(idempotentStart('orders', 'k-1', strategy, earlier)).toEqual(expected);
  });

  it('names the workflow that holds the key in the refusal', () => {
    expect(() => idempotentStart('orders', 'k-1', IdempotencyStrategy.Fail, [running])).toThrow(/orders with idempotencyKey k-1 was already started: w-0/);
  });
});
