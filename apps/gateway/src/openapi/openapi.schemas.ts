import { applyDecorators } from '@nestjs/common';
import { ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `validationErrors` names each problem',
  404: 'Not found',
  409: 'Conflicts with what exists',
  503: 'The owner of the state did not answer in time; retryable',
};

/** Documents the Conductor error body for the given statuses. */
export const errorResponses = (...statuses: number[]) =>
  applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], schema: schemaRef('ErrorResponse') })));

/** Schemas of the response models that are interfaces (no class-validator metadata to derive them from). */
export const RESPONSE_SCHEMAS: Record<string, SchemaObject> = {
  ErrorResponse: {
    type: 'object',
    required: ['status', 'message', 'instance', 'retryable'],
    properties: {
      status: { type: 'integer' },
      message: { type: 'string' },
      instance: { type: 'string' },
      retryable: { type: 'boolean' },
      validationErrors: {
        type: 'array',
        items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' }, invalidValue: {} } },
      },
    },
  },
  BulkResponse: {
    type: 'object',
    properties: {
      bulkErrorResults: { type: 'object', additionalProperties: { type: 'string' } },
      bulkSuccessfulResults: { type: 'array', items: { type: 'string' } },
      message: { type: 'string' },
    },
  },
  Task: {
    type: 'object',
    properties: {
      taskId: { type: 'string' },
      taskType: { type: 'string' },
      status: { type: 'string', enum: ['SCHEDULED', 'IN_PROGRESS', 'COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'TIMED_OUT', 'CANCELED', 'SKIPPED'] },
      referenceTaskName: { type: 'string' },
      workflowInstanceId: { type: 'string' },
      workflowType: { type: 'string' },
      inputData: { type: 'object' },
      outputData: { type: 'object' },
      retryCount: { type: 'integer' },
      seq: { type: 'integer' },
      pollCount: { type: 'integer' },
      scheduledTime: { type: 'integer', format: 'int64' },
      startTime: { type: 'integer', format: 'int64' },
      endTime: { type: 'integer', format: 'int64' },
      updateTime: { type: 'integer', format: 'int64' },
      workerId: { type: 'string' },
      reasonForIncompletion: { type: 'string' },
      callbackAfterSeconds: { type: 'integer' },
      responseTimeoutSeconds: { type: 'integer' },
      workflowTask: { type: 'object' },
    },
  },
  Workflow: {
    type: 'object',
    properties: {
      workflowId: { type: 'string' },
      workflowName: { type: 'string' },
      workflowVersion: { type: 'integer' },
      status: { type: 'string', enum: ['RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED', 'PAUSED'] },
      input: { type: 'object' },
      output: { type: 'object' },
      correlationId: { type: 'string' },
      reasonForIncompletion: { type: 'string' },
      priority: { type: 'integer' },
      variables: { type: 'object' },
      createTime: { type: 'integer', format: 'int64' },
      startTime: { type: 'integer', format: 'int64' },
      endTime: { type: 'integer', format: 'int64' },
      workflowDefinition: { $ref: '#/components/schemas/WorkflowDef' },
      tasks: { type: 'array', items: { $ref: '#/components/schemas/Task' } },
    },
  },
};
