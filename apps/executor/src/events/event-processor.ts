import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  BatonError,
  CommandReply,
  ConductorEventMessage,
  ErrorCode,
  EventHandler,
  StartWorkflowCommand,
  TerminateWorkflowNotice,
  Topic,
  unwrapReply,
  UpdateTaskCommand,
  UpdateVariablesNotice,
} from '@app/contracts';
import { MessageBus, ownerDeadlineMs } from '@app/bus';
import { DefinitionQueries } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { DefinitionCache } from '../definitions/definition.cache';
import { ScriptEvaluators } from '../runs/script-evaluators';
import { PlannedAction, planHandler } from './event-actions';

/** What became of one action: for the log, and for tests. */
export interface ActionOutcome {
  readonly handler: string;
  readonly action: string;
  readonly ok: boolean;
  readonly detail?: string;
}

/**
 * Conductor's event processor for its internal queues: every message an EVENT task publishes on
 * `conductor:…` goes to the active event handlers whose `event` is that queue; each handler whose
 * condition holds runs its actions, in order, as commands to the owners of the workflows they concern —
 * `start_workflow`, `complete_task`, `fail_task`, and (which Conductor OSS refuses) `terminate_workflow`
 * and `update_workflow_variables`. At-least-once: a message whose owner could not be reached is handled
 * again from the start, and the actions are idempotent (a start has an id derived from the message; an
 * update of a task that ended is ignored), except that `appendArray` may append twice.
 */
@Injectable()
export class EventProcessor {
  private readonly logger = new Logger(EventProcessor.name);

  constructor(
    private readonly definitions: DefinitionQueries,
    private readonly cache: DefinitionCache,
    private readonly evaluators: ScriptEvaluators,
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly clock: Clock,
    private readonly ids: IdGenerator,
  ) {}

  async handle(message: ConductorEventMessage): Promise<ActionOutcome[]> {
    const handlers = await this.handlersFor(message.queue);
    const outcomes: ActionOutcome[] = [];
    for (const handler of handlers) {
      const plan = planHandler(handler, message, (script, input) => this.evaluators.javascript(script, input));
      if (plan.outcome === 'skipped') continue;
      if (plan.outcome === 'error') {
        this.logger.warn(`${message.queue} message ${message.messageId}: ${plan.reason}`);
        outcomes.push({ handler: handler.name, action: 'condition', ok: false, detail: plan.reason });
        continue;
      }
      for (const action of plan.actions) outcomes.push({ handler: handler.name, ...(await this.carryOut(action, message)) });
    }
    return outcomes;
  }

  /** The active handlers listening on the queue, from the definitions every change of a handler invalidates. */
  private async handlersFor(queue: string): Promise<EventHandler[]> {
    const all = await this.cache.get('eventhandler:*', 'active', () => this.definitions.eventHandlers(undefined, true));
    return all.filter((h) => h.event === queue);
  }

  /** A refusal by the owner (no such workflow, a task that cannot take results) is the action's outcome; an unreachable owner throws, so the message is redelivered. */
  private async carryOut(action: PlannedAction, message: ConductorEventMessage): Promise<Omit<ActionOutcome, 'handler'>> {
    const name = action.kind === 'invalid' ? action.action : action.kind;
    try {
      await this.send(action);
      return { action: name, ok: true };
    } catch (err) {
      if (!(err instanceof BatonError) || err.code === ErrorCode.Unavailable) throw err;
      this.logger.warn(`${message.queue} message ${message.messageId}: ${name} failed: ${err.message}`);
      return { action: name, ok: false, detail: err.message };
    }
  }

  private async send(action: PlannedAction): Promise<void> {
    const now = this.clock.now();
    const base = { commandId: this.ids.next(), issuedAt: now, deadline: now + ownerDeadlineMs(this.bus) };
    switch (action.kind) {
      case 'invalid':
        throw new BatonError(ErrorCode.InvalidArgument, action.reason);
      case 'start_workflow': {
        const { kind: _kind, ...fields } = action;
        const command: StartWorkflowCommand = { type: 'workflow.start', ...base, ...fields, priority: 0 };
        unwrapReply(await this.bus.request<CommandReply<unknown>>({ topic: Topic.ExecutorCommands, key: command.workflowId, value: command }));
        return;
      }
      case 'complete_task':
      case 'fail_task': {
        const command: UpdateTaskCommand = {
          type: 'task.update',
          ...base,
          workflowId: action.workflowId,
          ...(action.taskRefName ? { taskRefName: action.taskRefName } : {}),
          result: {
            workflowInstanceId: action.workflowId,
            taskId: action.taskId ?? '',
            status: action.kind === 'complete_task' ? 'COMPLETED' : 'FAILED',
            outputData: action.outputData,
            ...(action.reasonForIncompletion ? { reasonForIncompletion: action.reasonForIncompletion } : {}),
          },
        };
        unwrapReply(await this.bus.request<CommandReply<unknown>>({ topic: Topic.ExecutorCommands, key: command.workflowId, value: command }));
        return;
      }
      case 'terminate_workflow': {
        const notice: TerminateWorkflowNotice = { type: 'workflow.terminate', eventId: this.ids.next(), workflowId: action.workflowId, reason: action.reason };
        await this.bus.publish([{ topic: Topic.ExecutorCommands, key: notice.workflowId, value: notice }]);
        return;
      }
      case 'update_workflow_variables': {
        const notice: UpdateVariablesNotice = {
          type: 'workflow.variables',
          eventId: this.ids.next(),
          workflowId: action.workflowId,
          variables: action.variables,
          ...(action.appendArray ? { appendArray: true } : {}),
        };
        await this.bus.publish([{ topic: Topic.ExecutorCommands, key: notice.workflowId, value: notice }]);
        return;
      }
    }
  }
}
