import 'reflect-metadata';
import { IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { MAX_NAME_LENGTH, WorkflowDef } from './definitions';

/**
 * What a second start with the same `idempotencyKey` (for the same workflow name) gets: FAIL — refused
 * while any workflow started with the key exists; RETURN_EXISTING — the id of the latest one; FAIL_ON_RUNNING
 * — refused while the latest one is RUNNING or PAUSED, else a new workflow starts.
 */
export const IdempotencyStrategy = {
  Fail: 'FAIL',
  ReturnExisting: 'RETURN_EXISTING',
  FailOnRunning: 'FAIL_ON_RUNNING',
} as const;
export type IdempotencyStrategy = (typeof IdempotencyStrategy)[keyof typeof IdempotencyStrategy];

/** Conductor's `StartWorkflowRequest` (`POST /api/workflow`). */
export class StartWorkflowRequest {
  @IsString({ message: 'Workflow name cannot be null or empty' })
  @IsNotEmpty({ message: 'Workflow name cannot be null or empty' })
  @MaxLength(MAX_NAME_LENGTH)
  name!: string;

  @IsOptional() @IsInt({ message: 'version must be an integer' }) @Min(1, { message: 'version must be at least 1' }) version?: number;
  @IsOptional() @IsString() @MaxLength(255) correlationId?: string;
  @IsOptional() @IsObject({ message: 'input must be a JSON object' }) input?: Record<string, unknown>;
  @IsOptional() @IsObject({ message: 'taskToDomain must be a JSON object' }) taskToDomain?: Record<string, string>;
  /** An ephemeral definition to run instead of a registered one; validated as a registered one would be. */
  @IsOptional() @IsObject({ message: 'workflowDef must be a WorkflowDef object' }) workflowDef?: WorkflowDef;
  @IsOptional() @IsString() externalInputPayloadStoragePath?: string;
  @IsOptional()
  @IsInt({ message: 'priority: Priority must be between 0 and 99' })
  @Min(0, { message: 'priority: Priority must be between 0 and 99' })
  @Max(99, { message: 'priority: Priority must be between 0 and 99' })
  priority?: number;
  @IsOptional() @IsString() @MaxLength(255) createdBy?: string;
  @IsOptional() @IsString() @IsNotEmpty({ message: 'idempotencyKey cannot be empty' }) @MaxLength(255) idempotencyKey?: string;
  @IsOptional()
  @IsIn(Object.values(IdempotencyStrategy), { message: `idempotencyStrategy must be one of ${Object.values(IdempotencyStrategy).join(', ')}` })
  idempotencyStrategy?: IdempotencyStrategy;
  /** Baton's own: `debug` (pause at a task that fails for good) or `mock` (a dry run); see Workflow.runMode. */
  @IsOptional() @IsIn(['debug', 'mock'], { message: 'runMode must be debug or mock' }) runMode?: 'debug' | 'mock';
}

/**
 * Conductor's `RerunWorkflowRequest` (`POST /api/workflow/{id}/rerun`): the workflow to rerun is the one in
 * the path (`reRunFromWorkflowId`, when given, must name it); from `reRunFromTaskId` (else from the start),
 * with new `workflowInput`, the task's `taskInput` and a `correlationId` when given.
 */
export class RerunWorkflowRequest {
  @IsOptional() @IsString() reRunFromWorkflowId?: string;
  @IsOptional() @IsString() @IsNotEmpty({ message: 'reRunFromTaskId cannot be empty' }) reRunFromTaskId?: string;
  @IsOptional() @IsObject({ message: 'workflowInput must be a JSON object' }) workflowInput?: Record<string, unknown>;
  @IsOptional() @IsObject({ message: 'taskInput must be a JSON object' }) taskInput?: Record<string, unknown>;
  @IsOptional() @IsString() @MaxLength(255) correlationId?: string;
}
