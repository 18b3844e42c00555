import { applyDecorators } from '@nestjs/common';
import { ApiQuery, ApiResponse } from '@nestjs/swagger';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { IdempotencyStrategy, TaskResultStatus, TaskStatus, WorkflowStatus } from '@app/contracts';
import { ReturnStrategy } from '../workflows/sync-execution';

export const schemaRef = (name: string) => ({ $ref: `#/components/schemas/${name}` });

const DESCRIPTIONS: Record<number, string> = {
  400: 'Invalid input; `validationErrors` names each problem',
  404: 'Not found',
  409: 'Conflicts with what exists',
  501: 'Not served yet',
  503: 'The owner of the state did not answer in time; retryable',
};

/** Documents the Conductor error body for the given statuses. */
export const errorResponses = (...statuses: number[]) =>
  applyDecorators(...statuses.map((status) => ApiResponse({ status, description: DESCRIPTIONS[status], schema: schemaRef('ErrorResponse') })));

/** Documents Rill Flow's error body (`{"ret": false, …}`) for the given statuses. */
export const rillErrorResponses = (...statuses: number[]) =>
  applyDecorators(
    ...statuses.map((status) =>
      ApiResponse({ status, description: status === 400 ? 'Invalid input; `errors` names each problem' : DESCRIPTIONS[status], schema: schemaRef('RillFlowError') }),
    ),
  );

/** A response whose body is plain text (Conductor's `produces = TEXT_PLAIN_VALUE`: ids, counts, versions). */
export const textResponse = (description: string, status = 200) => ApiResponse({ status, description, content: { 'text/plain': { schema: { type: 'string' } } } });

/** An optional boolean query parameter (read as Conductor's Spring binding reads one: true/false, yes/no, on/off, 1/0). */
export const boolQuery = (name: string, defaultValue: boolean, description?: string) =>
  ApiQuery({ name, required: false, schema: { type: 'boolean', default: defaultValue }, ...(description ? { description } : {}) });

/** An optional integer query parameter, with its bounds and the value taken when it is absent. */
export const intQuery = (name: string, schema: { default?: number; minimum?: number; maximum?: number; format?: 'int32' | 'int64' }, description?: string) =>
  ApiQuery({ name, required: false, schema: { type: 'integer', ...schema }, ...(description ? { description } : {}) });

/** The statuses a TaskResult may carry, for a `{status}` path parameter. */
export const TASK_RESULT_STATUSES: string[] = Object.values(TaskResultStatus);
export const TASK_STATUSES: string[] = Object.values(TaskStatus);

const int64 = { type: 'integer', format: 'int64' } as const;
const json = { type: 'object', additionalProperties: true } as const;
const stringMap = { type: 'object', additionalProperties: { type: 'string' } } as const;
const taskStatus: SchemaObject = { type: 'string', enum: TASK_STATUSES };
const workflowStatus: SchemaObject = { type: 'string', enum: Object.values(WorkflowStatus) };

/** What every SignalResponse carries, whichever form (Conductor's `SignalResponse`). */
const signalCommon: Record<string, SchemaObject> = {
  targetWorkflowId: { type: 'string', description: 'The workflow that was started or signalled' },
  targetWorkflowStatus: workflowStatus,
  requestId: { type: 'string' },
  signalTimeout: { type: 'boolean', description: 'true: answered as it stands after the wait ran out' },
  workflowId: { type: 'string', description: 'The workflow this describes (a sub-workflow, for BLOCKING_WORKFLOW)' },
  correlationId: { type: 'string' },
  input: json,
  output: json,
};
const signalRequired = ['responseType', 'targetWorkflowId', 'targetWorkflowStatus', 'requestId', 'signalTimeout', 'workflowId'];

/** A worker task's mocked result in a test run (Conductor's `TaskMock`), one per attempt. */
const taskMock: SchemaObject = {
  type: 'object',
  required: ['status'],
  properties: {
    status: { type: 'string', enum: ['COMPLETED', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR'] },
    output: json,
    executionTime: { ...int64, minimum: 0, description: 'How long the attempt is recorded to have run (ms)' },
    queueWaitTime: { ...int64, minimum: 0, description: 'How long it is recorded to have waited in its queue (ms)' },
  },
};

/**
 * Schemas of the models that are interfaces (no class-validator metadata to derive them from): what the
 * API answers, and the request bodies that are not validated through a class. Field lists follow the
 * served TypeScript models (`libs/contracts/src/conductor/execution.ts` and the gateway's views).
 */
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
      bulkErrorResults: { type: 'object', additionalProperties: { type: 'string' }, description: 'Per item, why it failed' },
      bulkSuccessfulResults: { type: 'array', items: { type: 'string' } },
      message: { type: 'string' },
    },
  },
  WorkflowDefSummary: {
    type: 'object',
    required: ['name', 'version'],
    properties: { name: { type: 'string' }, version: { type: 'integer' }, createTime: int64, updateTime: int64 },
  },
  Task: {
    type: 'object',
    description: 'A task of a workflow run. Unset fields are omitted. A polled task leaves out `workflowTask` and `taskDefinition`.',
    properties: {
      taskId: { type: 'string' },
      taskType: { type: 'string' },
      status: taskStatus,
      referenceTaskName: { type: 'string' },
      taskDefName: { type: 'string' },
      workflowInstanceId: { type: 'string' },
      workflowType: { type: 'string' },
      workflowPriority: { type: 'integer' },
      correlationId: { type: 'string' },
      inputData: json,
      outputData: json,
      retryCount: { type: 'integer' },
      retriedTaskId: { type: 'string' },
      retried: { type: 'boolean' },
      executed: { type: 'boolean' },
      callbackFromWorker: { type: 'boolean' },
      seq: { type: 'integer' },
      iteration: { type: 'integer', description: 'Inside a DO_WHILE: the iteration this task ran in' },
      loopOverTask: { type: 'boolean' },
      pollCount: { type: 'integer' },
      scheduledTime: int64,
      startTime: int64,
      endTime: int64,
      updateTime: int64,
      queueWaitTime: int64,
      startDelayInSeconds: { type: 'integer' },
      responseTimeoutSeconds: int64,
      callbackAfterSeconds: int64,
      workerId: { type: 'string' },
      domain: { type: 'string' },
      reasonForIncompletion: { type: 'string' },
      subWorkflowId: { type: 'string', description: 'SUB_WORKFLOW: the child workflow' },
      workflowTask: schemaRef('WorkflowTask'),
      taskDefinition: schemaRef('TaskDef'),
      phase: { type: 'string', enum: ['start', 'monitor', 'rollback', 'cancel', 'delete', 'mock'], description: "Baton's own, on a task whose definition declares phases: the phase a worker is to run" },
      phaseStatus: { type: 'string', description: "Baton's own: the task's last lifecycle event, `phase.outcome` (SipRS's status)" },
      phaseHistory: {
        type: 'array',
        description: "Baton's own: every lifecycle event of a task with phases, in order",
        items: { type: 'object', required: ['event', 'time'], properties: { event: { type: 'string' }, time: int64, reason: { type: 'string' } } },
      },
      phaseRetryCount: { type: 'integer', description: "Baton's own: retries of the current phase (a rollback retried per the task definition)" },
    },
  },
  Workflow: {
    type: 'object',
    description: 'A workflow run. Unset fields are omitted.',
    properties: {
      workflowId: { type: 'string' },
      workflowName: { type: 'string' },
      workflowVersion: { type: 'integer' },
      status: workflowStatus,
      input: json,
      output: json,
      correlationId: { type: 'string' },
      reasonForIncompletion: { type: 'string' },
      failedReferenceTaskNames: { type: 'array', items: { type: 'string' } },
      failedTaskNames: { type: 'array', items: { type: 'string' } },
      taskToDomain: stringMap,
      priority: { type: 'integer', minimum: 0, maximum: 99 },
      variables: json,
      createTime: int64,
      updateTime: int64,
      startTime: int64,
      endTime: int64,
      createdBy: { type: 'string' },
      idempotencyKey: { type: 'string' },
      parentWorkflowId: { type: 'string', description: 'Set on a workflow a SUB_WORKFLOW task started' },
      parentWorkflowTaskId: { type: 'string' },
      workflowDefinition: schemaRef('WorkflowDef'),
      tasks: { type: 'array', items: schemaRef('Task') },
      runMode: { type: 'string', enum: ['debug', 'mock'], description: "Baton's own: a debug run (paused at a task that fails for good) or a dry run (mock phases)" },
      compensation: {
        type: 'object',
        description: "Baton's own (rollbackOnFailure): the rollback of a failed workflow's completed tasks",
        properties: {
          status: { type: 'string', enum: ['RUNNING', 'COMPLETED', 'FAILED'] },
          failure: { type: 'object', additionalProperties: true, description: 'How the workflow failed (what it ends with)' },
          rolledBack: { type: 'array', items: { type: 'string' } },
          failedTaskId: { type: 'string' },
          reason: { type: 'string' },
        },
      },
      removal: {
        type: 'object',
        description: "Baton's own: a removal waiting on its tasks' delete phases",
        properties: { status: { type: 'string', enum: ['RUNNING', 'FAILED'] }, archive: { type: 'boolean' }, failedTaskId: { type: 'string' }, reason: { type: 'string' } },
      },
    },
  },
  WorkflowStatus: {
    type: 'object',
    description: 'A workflow at a glance (`output` and `variables` on request)',
    required: ['workflowId', 'status'],
    properties: { workflowId: { type: 'string' }, correlationId: { type: 'string' }, output: json, variables: json, status: workflowStatus },
  },
  SearchResultTask: {
    type: 'object',
    required: ['totalHits', 'results'],
    properties: { totalHits: int64, results: { type: 'array', items: schemaRef('Task') } },
  },
  SearchResultWorkflow: {
    type: 'object',
    required: ['totalHits', 'results'],
    properties: { totalHits: int64, results: { type: 'array', items: schemaRef('Workflow') } },
  },
  TaskExecLog: {
    type: 'object',
    required: ['log', 'taskId', 'createdTime'],
    properties: { log: { type: 'string' }, taskId: { type: 'string' }, createdTime: int64 },
  },
  PollData: {
    type: 'object',
    required: ['queueName', 'workerId', 'lastPollTime'],
    properties: { queueName: { type: 'string' }, domain: { type: 'string' }, workerId: { type: 'string' }, lastPollTime: int64 },
  },
  QueueSizes: {
    type: 'object',
    description: 'Tasks waiting to be polled (ready, or waiting out a delay), per queue',
    additionalProperties: int64,
  },
  QueueSizesVerbose: {
    type: 'object',
    description: "Per queue, per shard (Baton's queue is one shard, `a`): waiting (`size`) and leased (`uacked`) tasks",
    additionalProperties: {
      type: 'object',
      additionalProperties: { type: 'object', required: ['size', 'uacked'], properties: { size: int64, uacked: int64 } },
    },
  },
  WorkflowRun: {
    type: 'object',
    description: 'A SignalResponse about a workflow (`responseType` TARGET_WORKFLOW or BLOCKING_WORKFLOW)',
    required: [...signalRequired, 'status'],
    properties: {
      responseType: {
        type: 'string',
        enum: [ReturnStrategy.TargetWorkflow, ReturnStrategy.BlockingWorkflow],
        description: 'The `returnStrategy` asked for; a blocking-task strategy with nothing blocking (the workflow ended) answers TARGET_WORKFLOW',
      },
      ...signalCommon,
      priority: { type: 'integer' },
      variables: json,
      tasks: { type: 'array', items: schemaRef('Task') },
      createdBy: { type: 'string' },
      createTime: int64,
      updateTime: int64,
      status: workflowStatus,
    },
  },
  TaskRun: {
    type: 'object',
    description: 'A SignalResponse about the task the workflow waits on (`responseType` BLOCKING_TASK, or BLOCKING_TASK_INPUT without `output`)',
    required: [...signalRequired, 'status', 'taskId'],
    properties: {
      responseType: { type: 'string', enum: [ReturnStrategy.BlockingTask, ReturnStrategy.BlockingTaskInput] },
      ...signalCommon,
      taskType: { type: 'string' },
      taskId: { type: 'string' },
      referenceTaskName: { type: 'string' },
      retryCount: { type: 'integer' },
      taskDefName: { type: 'string' },
      workflowType: { type: 'string' },
      priority: { type: 'integer' },
      createTime: int64,
      updateTime: int64,
      status: taskStatus,
    },
  },
  SignalResponse: {
    description: "Conductor's SignalResponse: a WorkflowRun or a TaskRun, as `responseType` says",
    oneOf: [schemaRef('WorkflowRun'), schemaRef('TaskRun')],
    discriminator: {
      propertyName: 'responseType',
      mapping: {
        [ReturnStrategy.TargetWorkflow]: '#/components/schemas/WorkflowRun',
        [ReturnStrategy.BlockingWorkflow]: '#/components/schemas/WorkflowRun',
        [ReturnStrategy.BlockingTask]: '#/components/schemas/TaskRun',
        [ReturnStrategy.BlockingTaskInput]: '#/components/schemas/TaskRun',
      },
    },
  },
  HealthCheckStatus: {
    type: 'object',
    required: ['healthy'],
    properties: {
      healthy: { type: 'boolean' },
      healthResults: {
        type: 'array',
        items: { type: 'object', properties: { healthy: { type: 'boolean' }, details: json } },
      },
      suppressedHealthResults: { type: 'array', items: json },
    },
  },
  TaskMock: taskMock,
  WorkflowTestRequest: {
    description: 'A StartWorkflowRequest whose worker tasks take mocked results instead of being queued',
    allOf: [
      schemaRef('StartWorkflowRequest'),
      {
        type: 'object',
        properties: {
          taskRefToMockOutput: {
            type: 'object',
            description: 'Per task reference name, the mocked results of its attempts, in order',
            additionalProperties: { type: 'array', items: schemaRef('TaskMock') },
          },
          subWorkflowTestRequest: {
            type: 'object',
            description: "Per SUB_WORKFLOW reference name, the child's mocks (only its `taskRefToMockOutput` and `subWorkflowTestRequest` are read)",
            additionalProperties: schemaRef('WorkflowTestRequest'),
          },
        },
      },
    ],
  },
  SkipTaskRequest: {
    type: 'object',
    description: 'The SKIPPED task is recorded with this input and output; later tasks read its output',
    properties: { taskInput: json, taskOutput: json },
  },
  RillDescriptorAdded: {
    type: 'object',
    required: ['ret', 'descriptor_id', 'version'],
    properties: { ret: { type: 'boolean', enum: [true] }, descriptor_id: { type: 'string', description: '<business>:<feature>' }, version: { type: 'integer' } },
  },
  RillDescriptor: {
    type: 'object',
    required: ['ret', 'descriptor_id', 'version', 'create_time', 'descriptor', 'dag'],
    properties: {
      ret: { type: 'boolean', enum: [true] },
      descriptor_id: { type: 'string', description: '<business>:<feature>' },
      version: { type: 'integer' },
      create_time: int64,
      descriptor: { type: 'string', description: 'The YAML as registered' },
      dag: { ...json, description: "Its translation into Baton's normalized DAG model" },
    },
  },
  RillDescriptorVersions: {
    type: 'object',
    required: ['ret', 'descriptor_id', 'versions'],
    properties: {
      ret: { type: 'boolean', enum: [true] },
      descriptor_id: { type: 'string' },
      versions: {
        type: 'array',
        items: { type: 'object', properties: { version: { type: 'integer' }, create_time: int64, aliases: { type: 'array', items: { type: 'string' } } } },
      },
    },
  },
  RillModified: {
    type: 'object',
    required: ['ret'],
    description: "Rill Flow's answer to a modify_*.json: true whether or not anything had to change",
    properties: { ret: { type: 'boolean', enum: [true] } },
  },
  RillBusinessIds: {
    type: 'object',
    required: ['ret', 'business_ids'],
    properties: { ret: { type: 'boolean', enum: [true] }, business_ids: { type: 'array', items: { type: 'string' } } },
  },
  RillFeatures: {
    type: 'object',
    required: ['ret', 'business_id', 'features'],
    properties: { ret: { type: 'boolean', enum: [true] }, business_id: { type: 'string' }, features: { type: 'array', items: { type: 'string' } } },
  },
  RillAliases: {
    type: 'object',
    required: ['ret', 'business_id', 'feature', 'aliases', 'alias_versions'],
    properties: {
      ret: { type: 'boolean', enum: [true] },
      business_id: { type: 'string' },
      feature: { type: 'string' },
      aliases: { type: 'array', items: { type: 'string' } },
      alias_versions: {
        type: 'object',
        additionalProperties: { type: 'integer', nullable: true },
        description: "Baton's addition: the version each alias points at (null: registered, no DAG given it yet)",
      },
    },
  },
  RillGray: {
    type: 'object',
    required: ['ret', 'business_id', 'feature', 'gray'],
    properties: {
      ret: { type: 'boolean', enum: [true] },
      business_id: { type: 'string' },
      feature: { type: 'string' },
      gray: { ...stringMap, description: 'The gray rule of each alias that has one' },
    },
  },
  RillDescriptorRecords: {
    type: 'object',
    required: ['ret', 'items', 'total'],
    properties: {
      ret: { type: 'boolean', enum: [true] },
      total: { type: 'integer', description: 'Rows in all pages' },
      items: {
        type: 'array',
        items: {
          type: 'object',
          properties: {
            businessId: { type: 'string' },
            featureId: { type: 'string', description: 'The feature name' },
            alias: { type: 'string' },
            descriptorId: { type: 'string', description: '<business>:<feature>:v<version>: the version the alias points at' },
            createTime: { ...int64, description: "When the feature's first version was registered" },
            updateTime: { ...int64, description: 'When the alias was last pointed' },
          },
        },
      },
    },
  },
  RillFlowError: {
    type: 'object',
    required: ['ret', 'message'],
    properties: {
      ret: { type: 'boolean', enum: [false] },
      code: { type: 'string' },
      message: { type: 'string' },
      errors: { type: 'array', items: { type: 'object', properties: { path: { type: 'string' }, message: { type: 'string' }, invalidValue: {} } } },
    },
  },
};

/**
 * Where the class-validator models say less than the wire does: a `@IsObject()` field that is a known
 * model or a map. Applied over the derived schemas.
 */
export const MODEL_REFINEMENTS: Record<string, Record<string, SchemaObject | { $ref: string }>> = {
  StartWorkflowRequest: {
    workflowDef: schemaRef('WorkflowDef'),
    taskToDomain: stringMap,
    idempotencyStrategy: { type: 'string', enum: Object.values(IdempotencyStrategy), default: IdempotencyStrategy.Fail, description: 'With `idempotencyKey`: what a second start with the key gets' },
  },
  TaskResult: {
    outputData: json,
    logs: { type: 'array', items: { oneOf: [{ type: 'string' }, schemaRef('TaskExecLog')] } },
  },
};
