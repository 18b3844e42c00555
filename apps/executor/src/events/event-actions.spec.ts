import { ConductorEventMessage, EventHandler, eventStartIdFor } from '@app/contracts';
import { loadTestEvaluators } from '../decider/testing/evaluators';
import type { Evaluators } from '../decider/evaluators';
import { expandInlineJson, planHandler } from './event-actions';

let evaluators: Evaluators;
beforeAll(async () => (evaluators = await loadTestEvaluators()));
const js = (script: string, input: Record<string, unknown>) => evaluators.javascript(script, input);

const message: ConductorEventMessage = {
  messageId: 'm-1',
  queue: 'conductor:orders:shipped',
  publishedAt: 0,
  payload: { workflowInstanceId: 'wf-1', orderId: 42, status: 'SHIPPED', taskToDomain: { pack: 'eu' }, note: '{"carrier":"dhl"}' },
};
const handler = (actions: EventHandler['actions'], extra: Partial<EventHandler> = {}): EventHandler => ({ name: 'h', event: message.queue, actions, active: true, ...extra });

describe('event handler actions', () => {
  it('start_workflow: input resolved over the payload and stamped with the message, an id derived from it, taskToDomain from the payload', () => {
    const plan = planHandler(handler([{ action: 'start_workflow', start_workflow: { name: 'invoice', version: 2, correlationId: '${orderId}', input: { order: '${orderId}', by: 'event' } } }]), message, js);

    expect(plan).toEqual({
      outcome: 'run',
      actions: [
        {
          kind: 'start_workflow',
          workflowId: eventStartIdFor('m-1', 'h', 0),
          name: 'invoice',
          version: 2,
          input: { order: 42, by: 'event', 'conductor.event.messageId': 'm-1', 'conductor.event.name': 'conductor:orders:shipped' },
          correlationId: '42',
          taskToDomain: { pack: 'eu' },
        },
      ],
    });
  });

  it('complete_task by reference: the output is everything resolved plus the stamp', () => {
    const plan = planHandler(handler([{ action: 'complete_task', complete_task: { workflowId: '${workflowInstanceId}', taskRefName: 'wait_ship', output: { status: '${status}' } } }]), message, js);

    expect(plan).toEqual({
      outcome: 'run',
      actions: [
        {
          kind: 'complete_task',
          workflowId: 'wf-1',
          taskRefName: 'wait_ship',
          outputData: { workflowId: 'wf-1', taskRefName: 'wait_ship', status: 'SHIPPED', 'conductor.event.messageId': 'm-1', 'conductor.event.name': 'conductor:orders:shipped' },
        },
      ],
    });
  });

  it('fail_task carries its reason; terminate and update_workflow_variables resolve their workflow', () => {
    const plan = planHandler(
      handler([
        { action: 'fail_task', fail_task: { workflowId: 'wf-2', taskId: 't-9', reasonForIncompletion: 'order ${orderId} lost' } },
        { action: 'terminate_workflow', terminate_workflow: { workflowId: '${workflowInstanceId}' } },
        { action: 'update_workflow_variables', update_workflow_variables: { workflowId: 'wf-3', variables: { last: '${status}' }, appendArray: true } },
      ]),
      message,
      js,
    );
    expect(plan.outcome === 'run' && plan.actions).toEqual([
      expect.objectContaining({ kind: 'fail_task', workflowId: 'wf-2', taskId: 't-9', reasonForIncompletion: 'order 42 lost' }),
      { kind: 'terminate_workflow', workflowId: 'wf-1', reason: 'Terminated by event handler h on conductor:orders:shipped' },
      { kind: 'update_workflow_variables', workflowId: 'wf-3', variables: { last: 'SHIPPED' }, appendArray: true },
    ]);
  });

  it.each<[string, Partial<EventHandler>, string]>([
    ['a condition that holds runs the actions', { condition: "$.status == 'SHIPPED'" }, 'run'],
    ['a condition that does not is skipped', { condition: '$.orderId > 100' }, 'skipped'],
    ['a value-param condition reads a payload key', { condition: 'flag', evaluatorType: 'value-param' }, 'skipped'],
    ['a condition that throws runs nothing', { condition: 'nope(' }, 'error'],
  ])('%s', (_, extra, outcome) => {
    const plan = planHandler(handler([{ action: 'terminate_workflow', terminate_workflow: { workflowId: 'x' } }], extra), message, js);
    expect(plan.outcome).toBe(outcome);
  });

  it('an action whose ids resolve to nothing is invalid, with the reason', () => {
    const plan = planHandler(handler([{ action: 'complete_task', complete_task: { workflowId: '${missing}', taskRefName: 'r' } }]), message, js);
    expect(plan.outcome === 'run' && plan.actions[0]).toMatchObject({ kind: 'invalid', reason: expect.stringContaining('needs a workflowId') });
  });

  it('expandInlineJSON parses JSON held in strings before resolving', () => {
    const plan = planHandler(
      handler([{ action: 'update_workflow_variables', expandInlineJSON: true, update_workflow_variables: { workflowId: 'w', variables: { carrier: '${note.carrier}' } } }]),
      message,
      js,
    );
    expect(plan.outcome === 'run' && plan.actions[0]).toMatchObject({ variables: { carrier: 'dhl' } });
    expect(expandInlineJson({ a: '[1,{"b":"{\\"c\\":2}"}]', d: '{not json}' })).toEqual({ a: [1, { b: { c: 2 } }], d: '{not json}' });
  });
});
