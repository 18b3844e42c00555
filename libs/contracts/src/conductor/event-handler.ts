import 'reflect-metadata';
import { Type } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsInt, IsNotEmpty, IsObject, IsOptional, IsString, MaxLength, ValidateNested } from 'class-validator';
import { MAX_NAME_LENGTH } from './definitions';

/** Conductor's event handler (`EventHandler`): on an event, if the condition holds, run the actions. */
export const EventActionType = {
  StartWorkflow: 'start_workflow',
  CompleteTask: 'complete_task',
  FailTask: 'fail_task',
  TerminateWorkflow: 'terminate_workflow',
  UpdateWorkflowVariables: 'update_workflow_variables',
} as const;
export type EventActionType = (typeof EventActionType)[keyof typeof EventActionType];

export class StartWorkflowAction {
  @IsString() @IsNotEmpty({ message: 'start_workflow.name cannot be empty' }) name!: string;
  @IsOptional() @IsInt() version?: number;
  @IsOptional() @IsString() correlationId?: string;
  @IsOptional() @IsObject() input?: Record<string, unknown>;
  @IsOptional() @IsObject() taskToDomain?: Record<string, string>;
}

export class TaskDetailsAction {
  @IsString() @IsNotEmpty({ message: 'workflowId cannot be empty' }) workflowId!: string;
  @IsOptional() @IsString() taskRefName?: string;
  @IsOptional() @IsString() taskId?: string;
  @IsOptional() @IsObject() output?: Record<string, unknown>;
  @IsOptional() @IsString() reasonForIncompletion?: string;
}

export class TerminateWorkflowAction {
  @IsString() @IsNotEmpty({ message: 'workflowId cannot be empty' }) workflowId!: string;
  @IsOptional() @IsString() terminationReason?: string;
}

export class UpdateWorkflowVariablesAction {
  @IsString() @IsNotEmpty({ message: 'workflowId cannot be empty' }) workflowId!: string;
  @IsOptional() @IsObject() variables?: Record<string, unknown>;
  @IsOptional() @IsBoolean() appendArray?: boolean;
}

export class EventAction {
  @IsIn(Object.values(EventActionType), { message: `action must be one of ${Object.values(EventActionType).join(', ')}` })
  action!: EventActionType;

  @IsOptional() @ValidateNested() @Type(() => StartWorkflowAction) start_workflow?: StartWorkflowAction;
  @IsOptional() @ValidateNested() @Type(() => TaskDetailsAction) complete_task?: TaskDetailsAction;
  @IsOptional() @ValidateNested() @Type(() => TaskDetailsAction) fail_task?: TaskDetailsAction;
  @IsOptional() @ValidateNested() @Type(() => TerminateWorkflowAction) terminate_workflow?: TerminateWorkflowAction;
  @IsOptional() @ValidateNested() @Type(() => UpdateWorkflowVariablesAction) update_workflow_variables?: UpdateWorkflowVariablesAction;
  @IsOptional() @IsBoolean() expandInlineJSON?: boolean;
}

export class EventHandler {
  @IsString({ message: 'Missing event handler name' }) @IsNotEmpty({ message: 'Missing event handler name' }) @MaxLength(MAX_NAME_LENGTH)
  name!: string;

  @IsString({ message: 'Missing event location' }) @IsNotEmpty({ message: 'Missing event location' }) @MaxLength(1024)
  event!: string;

  @IsOptional() @IsString() condition?: string;
  @IsOptional() @IsString() evaluatorType?: string;

  @IsArray({ message: 'No actions specified. Please specify at-least one action' })
  @ArrayNotEmpty({ message: 'No actions specified. Please specify at-least one action' })
  @ValidateNested({ each: true })
  @Type(() => EventAction)
  actions!: EventAction[];

  @IsOptional() @IsBoolean() active?: boolean;
}
