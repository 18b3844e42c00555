import { Controller, Logger } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { BatonError, CommandReply, ErrorCode, ExecutorCommand, ExecutorMessage, ExecutorNotice, Topic } from '@app/contracts';
import { Clock } from '@app/runtime';
import { answerCommand } from '@app/bus';
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
    private readonly clock: Clock,
  ) {}

  @MessagePattern(Topic.ExecutorCommands)
  async handle(@Payload() message: ExecutorMessage): Promise<CommandReply<unknown> | undefined> {
    if (isNotice(message)) {
      await this.executions.notice(message);
      return undefined;
    }
    // A child start comes from another executor's outbox: nobody waits for it, but it never expires.
    if (message?.type === 'workflow.start' && message.parent) {
      await this.executions.start(message).catch((err) => this.dropIfPermanent(err, message));
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
      default:
        throw new BatonError(ErrorCode.InvalidArgument, `unknown executor command: ${JSON.stringify((command as { type?: unknown })?.type)}`);
    }
  }

  /** A domain error will not change on redelivery: log and drop. Anything else (the database) is retried. */
  private dropIfPermanent(err: unknown, message: { type: string; workflowId: string }): void {
    if (err instanceof BatonError && err.code !== ErrorCode.Unavailable) {
      this.logger.warn(`dropping ${message.type} for ${message.workflowId}: ${err.message}`);
      return;
    }
    throw err;
  }
}

const NOTICE_TYPES = new Set<string>(['task.leased', 'child.ended', 'workflow.terminate']);
const isNotice = (m: ExecutorMessage): m is ExecutorNotice => typeof m?.type === 'string' && NOTICE_TYPES.has(m.type);
