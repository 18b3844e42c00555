import { TaskStatus } from '@app/contracts';
import type { Kernel } from '../kernel';
import type { TaskHandler } from './task-handler';

/** Where an EVENT task's message goes, from its resolved `sink`. */
export type EventSink = { readonly kind: 'conductor'; readonly queue: string } | { readonly kind: 'kafka'; readonly queue: string; readonly topic: string };

/**
 * The queue a sink names, as Conductor's Event task computes it: `conductor` is
 * `conductor:<workflow>:<taskRef>`, `conductor:<name>` is `conductor:<workflow>:<name>`, `kafka:<topic>` is
 * that Kafka topic. Any other provider (`sqs:`, `nats:`, `amqp…`) has no queue in Baton: the reason why.
 */
export function eventSinkOf(sink: unknown, workflowName: string, taskRef: string): EventSink | { readonly error: string } {
  if (typeof sink !== 'string' || !sink.trim()) return { error: 'No sink specified in task' };
  if (sink === 'conductor') return { kind: 'conductor', queue: `conductor:${workflowName}:${taskRef}` };
  if (sink.startsWith('conductor')) {
    if (!sink.startsWith('conductor:') || sink.length === 'conductor:'.length) return { error: `Invalid / Unsupported sink specified: ${sink}` };
    return { kind: 'conductor', queue: `conductor:${workflowName}:${sink.slice('conductor:'.length)}` };
  }
  const sep = sink.indexOf(':');
  const [type, name] = sep > 0 ? [sink.slice(0, sep), sink.slice(sep + 1)] : [sink, ''];
  if (type === 'kafka' && name) return { kind: 'kafka', queue: sink, topic: name };
  return { error: `Error loading queue: ${sink}: Baton has no event queue of type ${type} (conductor and kafka are)` };
}

/**
 * EVENT: publishes a message and completes in the decision that reaches it (IN_PROGRESS with
 * `asyncComplete`, until an update completes it). The message — the task's input with the workflow's
 * `workflowInstanceId`, `workflowType`, `workflowVersion`, `correlationId` (and `taskToDomain`) — is the
 * task's output too, with `event_produced`: the queue. `conductor…` sinks go to Baton's internal event
 * queue, where event handlers listening on that name pick it up; `kafka:<topic>` to that topic on the bus
 * (real Kafka in distributed mode, the in-process bus embedded). It is published through the outbox, in
 * the transaction that completes the task: once, or not at all if the decision is lost. A sink Baton has
 * no queue for fails the task with the reason (retried per its task definition, if it has one).
 */
export const eventHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    const wt = node.task;
    // Conductor's EventTaskMapper puts the sink and asyncComplete in the input, resolved with it.
    const draft = k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now });
    const inputData = { ...draft.inputData, ...k.resolveInputs({ sink: wt.sink ?? null, asyncComplete: wt.asyncComplete ?? false }) };
    const task = k.addTask({ ...draft, inputData }, 'start.begin');
    const sink = eventSinkOf(inputData.sink, k.workflow.workflowName, task.referenceTaskName);
    if ('error' in sink) return k.failTask(task, { status: TaskStatus.Failed, reason: sink.error });
    const payload = payloadOf(k, inputData, sink.queue);
    k.command(
      sink.kind === 'conductor'
        ? { type: 'event.publish', sink: 'conductor', queue: sink.queue, messageId: task.taskId, payload }
        : { type: 'event.publish', sink: 'kafka', topic: sink.topic, messageId: task.taskId, payload },
    );
    if (wt.asyncComplete) k.patchTask(task.taskId, { outputData: payload });
    else k.completeTask(task, { outputData: payload });
  },
};

function payloadOf(k: Kernel, input: Record<string, unknown>, queue: string): Record<string, unknown> {
  const w = k.workflow;
  return {
    ...input,
    workflowInstanceId: w.workflowId,
    workflowType: w.workflowName,
    workflowVersion: w.workflowVersion,
    ...(w.correlationId !== undefined ? { correlationId: w.correlationId } : {}),
    ...(w.taskToDomain && Object.keys(w.taskToDomain).length ? { taskToDomain: w.taskToDomain } : {}),
    event_produced: queue,
  };
}
