import { Body, Controller, Get, HttpCode, Param, Post, Query, Req, UseFilters } from '@nestjs/common';
import { ApiBody, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BatonError, DAPR_INSTANCE_ID, DAPR_MAX_INSTANCE_ID, DAPR_RUNTIME_STATUS, daprWorkflowIdFor, ErrorCode, isTerminalWorkflowStatus, Workflow, WorkflowStatus } from '@app/contracts';
import { randomUUID } from 'node:crypto';
import { WorkflowService } from '../workflows/workflow.service';
import { DaprError, DaprErrorFilter } from './dapr.filter';

/** Dapr registers each route under three API versions, with the same handler. */
const VERSIONS = ['v1.0', 'v1.0-beta1', 'v1.0-alpha1'] as const;
const routes = (path: string): string[] => VERSIONS.map((v) => `${v}/workflows/${path}`);

/** Dapr's instance ids: letters, digits, `_` and `-`, at most 64 (validateInstanceID). */

/** Dapr's GetWorkflowResponse. */
export interface DaprWorkflowView {
  readonly instanceID: string;
  readonly workflowName: string;
  readonly createdAt: string;
  readonly lastUpdatedAt: string;
  readonly runtimeStatus: string;
  readonly properties: Record<string, string>;
}

/** The body as it came (Dapr passes the raw bytes through): JSON when it parses, else the text. */
function valueOf(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw ?? null;
  if (raw === '') return null;
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}

/** Dapr's input as a workflow's input: an object as it is, anything else under `input`. */
const asObject = (value: unknown): Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : value === null ? {} : { input: value };

/**
 * Dapr Workflow's HTTP API (`/v1.0/workflows/{component}/…`, also under `v1.0-beta1` and `v1.0-alpha1`)
 * on the same engine: a Dapr workflow name is a registered workflow definition (its latest version); the
 * instance id is the workflow's id when it is a uuid, else one derived from it, and is kept as the
 * workflow's correlationId — so the Conductor API reads and manages the same workflow. Raised events
 * complete the WAIT or HUMAN task that names them (`inputParameters.eventName`), and are kept when raised
 * before it waits. Any component name is accepted (Dapr's docs use `dapr`).
 */
@ApiTags('dapr')
@ApiParam({ name: 'component', description: "The workflow component (any name: Dapr's docs use `dapr`)" })
@Controller()
@UseFilters(DaprErrorFilter)
export class DaprWorkflowController {
  constructor(private readonly workflows: WorkflowService) {}

  @Post(routes(':component/:workflowName/start'))
  @HttpCode(202)
  @ApiOperation({ summary: 'Dapr: start a workflow (the instance id given, or generated); 202 {instanceID}' })
  @ApiParam({ name: 'workflowName', description: 'A registered workflow definition (its latest version runs)' })
  @ApiQuery({ name: 'instanceID', required: false, type: String })
  @ApiBody({ required: false, schema: {}, description: 'The input, as raw bytes (JSON or text)' })
  @ApiResponse({ status: 202, schema: { type: 'object', properties: { instanceID: { type: 'string' } } } })
  @ApiResponse({ status: 400, description: "Dapr's error body" })
  @ApiResponse({ status: 404, description: "Dapr's error body" })
  @ApiResponse({ status: 409, description: "Dapr's error body" })
  async start(@Req() req: { daprOperation?: string }, @Param('workflowName') workflowName: string, @Body() body: unknown, @Query('instanceID') instanceID?: string): Promise<{ instanceID: string }> {
    req.daprOperation = 'ERR_START_WORKFLOW';
    const id = instanceID === undefined || instanceID === '' ? randomUUID() : instanceID;
    if (id.length > DAPR_MAX_INSTANCE_ID) throw new DaprError('ERR_INSTANCE_ID_TOO_LONG', 400, `workflow instance ID exceeds the max length of ${DAPR_MAX_INSTANCE_ID} characters`);
    if (!DAPR_INSTANCE_ID.test(id)) throw new DaprError('ERR_INSTANCE_ID_INVALID', 400, `workflow instance ID '${id}' is invalid: only alphanumeric and underscore characters are allowed`);
    const workflowId = daprWorkflowIdFor(id);
    if (await this.workflows.get(workflowId, false).then(() => true, () => false)) {
      throw new DaprError('ERR_START_WORKFLOW', 409, `an active workflow with ID '${id}' already exists`);
    }
    await this.workflows.start({ name: workflowName, input: asObject(valueOf(body)), correlationId: id, priority: 0 }, workflowId);
    return { instanceID: id };
  }

  @Get(routes(':component/:instanceID'))
  @ApiOperation({ summary: "Dapr: a workflow instance (runtimeStatus, properties); 404 when there is none" })
  @ApiParam({ name: 'instanceID' })
  @ApiOkResponse({ schema: { type: 'object' } })
  @ApiResponse({ status: 404, description: "Dapr's error body" })
  async get(@Req() req: { daprOperation?: string }, @Param('instanceID') instanceID: string): Promise<DaprWorkflowView> {
    req.daprOperation = 'ERR_GET_WORKFLOW';
    return daprView(instanceID, await this.instance(instanceID));
  }

  @Post(routes(':component/:instanceID/terminate'))
  @ApiParam({ name: 'instanceID' })
  @HttpCode(202)
  @ApiOperation({ summary: 'Dapr: terminate a workflow instance (one that has ended already: nothing to do)' })
  @ApiResponse({ status: 202 })
  @ApiResponse({ status: 404, description: "Dapr's error body" })
  async terminate(@Req() req: { daprOperation?: string }, @Param('instanceID') instanceID: string): Promise<void> {
    req.daprOperation = 'ERR_TERMINATE_WORKFLOW';
    const wf = await this.instance(instanceID);
    if (!isTerminalWorkflowStatus(wf.status)) await this.workflows.terminate(wf.workflowId, 'terminated through the Dapr API', false);
  }

  @Post(routes(':component/:instanceID/raiseEvent/:eventName'))
  @ApiParam({ name: 'instanceID' })
  @ApiParam({ name: 'eventName', description: 'The name a WAIT or HUMAN task waits for (inputParameters.eventName)' })
  @HttpCode(202)
  @ApiOperation({ summary: 'Dapr: raise an event: completes the WAIT or HUMAN task waiting for it, or is kept until one does' })
  @ApiBody({ required: false, schema: {}, description: "The event's data, as raw bytes (JSON or text)" })
  @ApiResponse({ status: 202 })
  @ApiResponse({ status: 404, description: "Dapr's error body" })
  @ApiResponse({ status: 409, description: "Dapr's error body" })
  async raiseEvent(@Req() req: { daprOperation?: string }, @Param('instanceID') instanceID: string, @Param('eventName') eventName: string, @Body() body: unknown): Promise<void> {
    req.daprOperation = 'ERR_RAISE_EVENT_WORKFLOW';
    const wf = await this.instance(instanceID);
    await this.workflows.raiseEvent(wf.workflowId, eventName, asObject(valueOf(body)));
  }

  @Post(routes(':component/:instanceID/pause'))
  @ApiParam({ name: 'instanceID' })
  @HttpCode(202)
  @ApiOperation({ summary: 'Dapr: pause (suspend) a workflow instance' })
  @ApiResponse({ status: 202 })
  @ApiResponse({ status: 404, description: "Dapr's error body" })
  @ApiResponse({ status: 409, description: "Dapr's error body" })
  async pause(@Req() req: { daprOperation?: string }, @Param('instanceID') instanceID: string): Promise<void> {
    req.daprOperation = 'ERR_PAUSE_WORKFLOW';
    await this.workflows.nudge((await this.instance(instanceID)).workflowId, 'workflow.pause');
  }

  @Post(routes(':component/:instanceID/resume'))
  @ApiParam({ name: 'instanceID' })
  @HttpCode(202)
  @ApiOperation({ summary: 'Dapr: resume a paused (suspended) workflow instance' })
  @ApiResponse({ status: 202 })
  @ApiResponse({ status: 404, description: "Dapr's error body" })
  @ApiResponse({ status: 409, description: "Dapr's error body" })
  async resume(@Req() req: { daprOperation?: string }, @Param('instanceID') instanceID: string): Promise<void> {
    req.daprOperation = 'ERR_RESUME_WORKFLOW';
    await this.workflows.nudge((await this.instance(instanceID)).workflowId, 'workflow.resume');
  }

  @Post(routes(':component/:instanceID/purge'))
  @ApiParam({ name: 'instanceID' })
  @HttpCode(202)
  @ApiOperation({ summary: 'Dapr: purge a COMPLETED, FAILED or TERMINATED workflow instance (its state and history)' })
  @ApiResponse({ status: 202 })
  @ApiResponse({ status: 400, description: "Dapr's error body: the instance has not ended" })
  @ApiResponse({ status: 404, description: "Dapr's error body" })
  async purge(@Req() req: { daprOperation?: string }, @Param('instanceID') instanceID: string): Promise<void> {
    req.daprOperation = 'ERR_PURGE_WORKFLOW';
    const wf = await this.instance(instanceID);
    if (!isTerminalWorkflowStatus(wf.status)) {
      throw new DaprError('ERR_PURGE_WORKFLOW', 400, `workflow '${instanceID}' is ${DAPR_RUNTIME_STATUS[wf.status]}: only COMPLETED, FAILED or TERMINATED workflows can be purged`);
    }
    await this.workflows.remove(wf.workflowId, false);
  }

  private async instance(instanceID: string): Promise<Workflow> {
    try {
      return await this.workflows.get(daprWorkflowIdFor(instanceID), false);
    } catch (err) {
      if (err instanceof BatonError && err.code === ErrorCode.WorkflowNotFound) {
        throw new DaprError('ERR_INSTANCE_ID_NOT_FOUND', 404, `unable to find workflow with the provided instance ID: ${instanceID}`);
      }
      throw err;
    }
  }
}

/** A workflow as Dapr's GetWorkflowResponse shows it: every property a string, input and output as JSON. */
export function daprView(instanceID: string, wf: Workflow): DaprWorkflowView {
  const failed = wf.status === WorkflowStatus.Failed || wf.status === WorkflowStatus.TimedOut;
  return {
    instanceID,
    workflowName: wf.workflowName,
    createdAt: new Date(wf.createTime).toISOString(),
    lastUpdatedAt: new Date(wf.updateTime ?? wf.createTime).toISOString(),
    runtimeStatus: DAPR_RUNTIME_STATUS[wf.status],
    properties: {
      'dapr.workflow.custom_status': '',
      'dapr.workflow.input': JSON.stringify(wf.input),
      ...(failed
        ? { 'dapr.workflow.failure.error_type': wf.status, 'dapr.workflow.failure.error_message': wf.reasonForIncompletion ?? '' }
        : { 'dapr.workflow.output': JSON.stringify(wf.output) }),
    },
  };
}
