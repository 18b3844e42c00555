import { IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, Min } from 'class-validator';
import { MAX_SECONDS } from './definitions';
import { TaskResultStatus } from '../status';

/** What a worker reports for a task (Conductor `TaskResult`). */
export class TaskResult {
  @IsString({ message: 'Workflow Id cannot be null or empty' })
  @IsNotEmpty({ message: 'Workflow Id cannot be null or empty' })
  workflowInstanceId!: string;

  @IsString({ message: 'Task ID cannot be null or empty' })
  @IsNotEmpty({ message: 'Task ID cannot be null or empty' })
  taskId!: string;

  @IsIn(Object.values(TaskResultStatus), { message: `Status must be one of ${Object.values(TaskResultStatus).join(', ')}` })
  status!: TaskResultStatus;

  @IsOptional() @IsString() reasonForIncompletion?: string;
  @IsOptional() @IsInt() @Min(0, { message: 'Callback after seconds must be positive' }) @Max(MAX_SECONDS) callbackAfterSeconds?: number;
  @IsOptional() @IsString() workerId?: string;
  @IsOptional() @IsObject() outputData?: Record<string, unknown>;
  @IsOptional() @IsArray() logs?: unknown[];
  @IsOptional() @IsBoolean() extendLease?: boolean;
  /**
   * Baton's own: the phase this result is for (`start`, `monitor`, `rollback`, `cancel`, `delete`, `mock`),
   * as a worker of a task with phases sends it. A result for another phase than the task's current one (a
   * start that finished after its cancel began) is acknowledged and ignored; without it, a result is for
   * the current phase.
   */
  @IsOptional() @IsIn(['start', 'monitor', 'rollback', 'cancel', 'delete', 'mock'], { message: 'phase must be start, monitor, rollback, cancel, delete or mock' }) phase?: string;
  @IsOptional() @IsString() subWorkflowId?: string;
  @IsOptional() @IsString() externalOutputPayloadStoragePath?: string;
}
