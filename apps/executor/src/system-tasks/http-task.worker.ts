import { Injectable } from '@nestjs/common';
import { SystemTaskType, Task } from '@app/contracts';
import { httpLeaseMs } from '../decider/handlers/http.handler';
import { performHttpTask } from './http/http-call';
import { QueuedSystemTaskWorker, SystemTaskOutcome } from './system-task.worker';

/** The engine's worker for HTTP tasks: makes the call (`http/http-call.ts`) within the task's lease. */
@Injectable()
export class HttpTaskWorker extends QueuedSystemTaskWorker {
  protected readonly type = SystemTaskType.Http;

  protected perform(task: Task, signal: AbortSignal): Promise<SystemTaskOutcome> {
    return performHttpTask(task.inputData, { signal });
  }

  protected deadlineMs(task: Task): number {
    return httpLeaseMs(task.inputData, task.responseTimeoutSeconds);
  }
}
