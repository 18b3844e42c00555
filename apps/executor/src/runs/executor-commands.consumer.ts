import { Controller, Inject, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BatonError, CommandReply, ErrorCode, ExecutorCommand, ExecutorMessage, ExecutorNotice, Topic } from '@app/contracts';
import { Clock } from '@app/runtime';
import { answerCommand, MessageBus } from '@app/bus';
import { DecisionError } from './decision-batcher';
import { WorkflowExecutionService } from './workflow-execution.service';

/**
 * Everything for the workflows on this executor's partitions, in order per workflow: commands (answered
 * after the commit) and notices (nobody waits; a transient failure propagates so the bus redelivers).
 * Parse, make one service call.
 */
@Controller()
export class ExecutorCommandsConsumer {
  private readonly logger = new Logger(ExecutorCommandsConsumer.name);

  constructor(
    private readonly executions: WorkflowExecutionService,
    @Inject(MessageBus) private readonly bus: MessageBus,
    private readonly clock: Clock,
  ) {}

  @MessagePattern(Topic.ExecutorCommands)
  async handle(@Payload() message: ExecutorMessage): Promise<CommandReply<unknown> | undefined> {
    if (isNotice(message)) {
      await this.executions.notice(message).catch((err) => this.parkIfPermanent(err, message));
      return undefined;
    }
    // A child start comes from another executor's outbox: nobody waits for it, but it never expires.
    if (message?.type === 'workflow.start' && message.parent) {
      await this.executions.start(message).catch((err) => this.parkIfPermanent(err, message));
      return undefined;
    }
    return answerCommand(message as ExecutorCommand, this.clock.now(), 'executor', (c) => this.dispatch(c));
  }

  private dispatch(command: ExecutorCommand): Promise<unknown> {
    switch (command?.type) {
      case 'workflow.start':
        return this.executions.start(command);
      case 'task.update':
        return this.executions.update(command);
      case 'workflow.restart':
        return this.executions.restart(command);
      case 'workflow.rerun':
        return this.executions.rerun(command);
      case 'workflow.remove':
        return this.executions.remove(command);
      case 'workflow.verify':
        return this.executions.verify(command);
      case 'task.rerun-phase':
        return this.executions.rerunPhase(command);
      case 'workflow.raise-event':
        return this.executions.raiseEvent(command);
      case 'rill.wake-up':
        return this.executions.wakeUp(command);
      case 'workflow.terminate.request':
        return this.executions.terminate(command);
      case 'workflow.retry':
        return this.executions.retry(command);
      case 'workflow.reset-callbacks':
      case 'workflow.decide':
      case 'workflow.pause':
      case 'workflow.resume':
        return this.executions.nudge(command);
      case 'workflow.skip-task':
        return this.executions.skipTask(command);
      default:
        throw new BatonError(ErrorCode.InvalidArgument, `unknown executor command: ${JSON.stringify((command as { type?: unknown })?.type)}`);
    }
  }

  /**
   * A message nobody waits on that failed for a reason redelivery will not change (a domain error, a
   * decision that throws) goes to the dead-letter topic with the reason, instead of blocking its partition
   * or lane forever. Anything else (the database is away, a rebalance) propagates: the bus redelivers it.
   */
  private async parkIfPermanent(err: unknown, message: { type: string; workflowId: string }): Promise<void> {
    const permanent = err instanceof DecisionError || (err instanceof BatonError && err.code !== ErrorCode.Unavailable);
    if (!permanent) throw err;
    const reason = (err as Error).message;
    this.logger.error(`parking ${message.type} for ${message.workflowId} on the dead-letter topic: ${reason}`);
    await this.bus.publish([{ topic: Topic.DeadLetter, key: message.workflowId, value: { topic: Topic.ExecutorCommands, reason, payload: message } }]);
  }
}

const NOTICE_TYPES = new Set<string>(['task.leased', 'child.ended', 'child.retry', 'workflow.terminate', 'start.outcome', 'workflow.variables']);
const isNotice = (m: ExecutorMessage): m is ExecutorNotice => typeof m?.type === 'string' && NOTICE_TYPES.has(m.type);
