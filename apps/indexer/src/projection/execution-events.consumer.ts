import { Controller, Inject, Logger } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { TASK_EVENT_TYPES, TaskEvent, Topic, WorkflowEvent } from '@app/contracts';
import { MessageBus } from '@app/bus';
import { ProjectionBatcher } from './projection-batcher';

const isTaskEvent = (e: unknown): e is TaskEvent =>
  typeof e === 'object' && e !== null && typeof (e as TaskEvent).taskId === 'string' && typeof (e as TaskEvent).version === 'number' &&
  TASK_EVENT_TYPES.includes((e as TaskEvent).type) && typeof (e as TaskEvent).task === 'object';

const isWorkflowEvent = (e: unknown): e is WorkflowEvent =>
  typeof e === 'object' && e !== null && typeof (e as WorkflowEvent).workflowId === 'string' &&
  typeof (e as WorkflowEvent).version === 'number' && typeof (e as WorkflowEvent).workflow === 'object';

/**
 * Projects execution events into the search index. A database error propagates, so the message is
 * redelivered (at-least-once); a message that can never be projected goes to the dead-letter topic.
 */
@Controller()
export class ExecutionEventsConsumer {
  private readonly logger = new Logger(ExecutionEventsConsumer.name);

  constructor(
    private readonly projection: ProjectionBatcher,
    @Inject(MessageBus) private readonly bus: MessageBus,
  ) {}

  @EventPattern(Topic.TaskEvents)
  async onTaskEvent(@Payload() event: unknown): Promise<void> {
    if (!isTaskEvent(event)) return this.deadLetter(Topic.TaskEvents, event, 'not a task event');
    await this.projection.addTask(event);
  }

  @EventPattern(Topic.WorkflowEvents)
  async onWorkflowEvent(@Payload() event: unknown): Promise<void> {
    if (!isWorkflowEvent(event)) return this.deadLetter(Topic.WorkflowEvents, event, 'not a workflow event');
    await this.projection.addWorkflow(event);
  }

  private async deadLetter(topic: string, payload: unknown, reason: string): Promise<void> {
    this.logger.error(`dead-lettering a message from ${topic}: ${reason}`);
    const key = (payload as { workflowId?: unknown })?.workflowId;
    await this.bus.publish([{ topic: Topic.DeadLetter, key: typeof key === 'string' ? key : 'unknown', value: { topic, reason, payload } }]);
  }
}
