import { Controller, Get, Query, UseFilters } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { BatonError, ErrorCode, RILL_DAG_STATUS, WorkflowStatus } from '@app/contracts';
import { ExecutionQueries, RillExecutionFilter } from '@app/persistence';
import { rillErrorResponses } from '../openapi/openapi.schemas';
import { RillExecutionLookup } from './rill-execution.lookup';
import { parseDescriptorId } from './rill-descriptors';
import { RillFlowErrorFilter } from './rill-flow.filter';
import { rillExecutionView } from './rill-status';

/** Rill Flow's DAG statuses (`type`, `status`) as the workflow statuses they stand for. */
const STATUSES_OF: Record<string, WorkflowStatus[]> = {
  running: [WorkflowStatus.Running, WorkflowStatus.Paused],
  succeed: [WorkflowStatus.Completed],
  failed: [WorkflowStatus.Failed, WorkflowStatus.TimedOut, WorkflowStatus.Terminated],
};
const MAX_COUNT = 100;

const invalid = (field: string, message: string, value?: unknown) => new BatonError(ErrorCode.ValidationFailed, `${field}: ${message}`, [{ path: field, message, invalidValue: value }]);

function statusesOf(type: string | undefined, field: string): WorkflowStatus[] | undefined {
  if (type === undefined || type === '') return undefined;
  const statuses = STATUSES_OF[type.toLowerCase()];
  if (!statuses) throw invalid(field, 'must be one of succeed, running, failed', type);
  return statuses;
}

function intOf(raw: string | undefined, field: string, fallback: number, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(field, `must be a whole number from ${min} to ${max}`, raw);
  return n;
}

/** `<business>:<feature>` of a service id; a 400 naming `field` when it is not one. */
function serviceIdOf(serviceId: string | undefined, field: string): string {
  if (!serviceId) throw invalid(field, 'is required');
  const { businessId, featureName } = parseDescriptorId(serviceId, field);
  return `${businessId}:${featureName}`;
}

/**
 * Rill Flow's execution listings: the runtime API's `get_execution_ids.json` and `get_execution_count.json`
 * (per service, by status) and the back office's `/flow/bg/get_execution_ids.json` and
 * `get_execution.json`. Executions are workflows, found by their execution-id correlation.
 */
@ApiTags('rill-flow')
@Controller('flow')
@UseFilters(RillFlowErrorFilter)
export class RillExecutionsController {
  constructor(
    private readonly executions: ExecutionQueries,
    private readonly lookup: RillExecutionLookup,
  ) {}

  @Get('get_execution_ids.json')
  @ApiOperation({ summary: 'Rill Flow: the executions of a service with a status, newest first, submitted up to `time`' })
  @ApiQuery({ name: 'service_id', description: '<business>:<feature>' })
  @ApiQuery({ name: 'type', required: false, description: 'succeed (the default), running or failed' })
  @ApiQuery({ name: 'code', required: false, description: 'a failure code: not supported (400)' })
  @ApiQuery({ name: 'time', required: false, type: Number, description: 'epoch ms; executions submitted at or before it (now by default)' })
  @ApiQuery({ name: 'page', required: false, type: Number, description: 'from 1' })
  @ApiQuery({ name: 'count', required: false, type: Number, description: 'per page, at most 100 (20 by default)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { execution_ids: { type: 'array', items: { type: 'object' } }, type: { type: 'string' }, cursor_time: { type: 'number' }, current_page: { type: 'number' }, next_page_available: { type: 'boolean' } } } })
  @rillErrorResponses(400)
  async executionIds(
    @Query('service_id') serviceId?: string,
    @Query('type') type?: string,
    @Query('code') code?: string,
    @Query('time') time?: string,
    @Query('page') page?: string,
    @Query('count') count?: string,
  ) {
    const name = serviceIdOf(serviceId, 'service_id');
    if (code) throw invalid('code', 'Baton keeps no failure codes: list by type', code);
    const kind = (type || 'succeed').toLowerCase();
    const statuses = statusesOf(kind, 'type');
    const cursor = intOf(time, 'time', Date.now(), 0);
    const current = intOf(page, 'page', 1, 1, 1_000_000);
    const size = intOf(count, 'count', 20, 1, MAX_COUNT);
    const rows = await this.executions.rillExecutions({ name, statuses, to: cursor }, (current - 1) * size, size);
    return {
      execution_ids: rows.slice(0, size).map((r) => ({ execution_id: r.executionId, submit_time: r.createTime })),
      type: kind,
      cursor_time: cursor,
      current_page: current,
      next_page_available: rows.length > size,
    };
  }

  @Get('get_execution_count.json')
  @ApiOperation({ summary: 'Rill Flow: how many executions of a service there are, by status, within a window of minutes ago' })
  @ApiQuery({ name: 'service_id', description: '<business>:<feature>' })
  @ApiQuery({ name: 'type', required: false, description: 'succeed, running or failed (all three when absent)' })
  @ApiQuery({ name: 'code', required: false, description: 'a failure code: not supported (400)' })
  @ApiQuery({ name: 'start_time_offset', required: false, type: Number, description: 'minutes ago the window starts (with end_time_offset)' })
  @ApiQuery({ name: 'end_time_offset', required: false, type: Number, description: 'minutes ago the window ends, less than start_time_offset' })
  @ApiOkResponse({ schema: { type: 'object', properties: { dag: { type: 'object', additionalProperties: { type: 'number' } }, collect_time: { type: 'number' } } } })
  @rillErrorResponses(400)
  async executionCount(
    @Query('service_id') serviceId?: string,
    @Query('type') type?: string,
    @Query('code') code?: string,
    @Query('start_time_offset') startOffset?: string,
    @Query('end_time_offset') endOffset?: string,
  ) {
    const name = serviceIdOf(serviceId, 'service_id');
    if (code) throw invalid('code', 'Baton keeps no failure codes: count by type', code);
    const statuses = statusesOf(type, 'type');
    if ((startOffset === undefined) !== (endOffset === undefined)) throw invalid('start_time_offset', 'time offsets are given both or neither');
    const now = Date.now();
    const window: Pick<RillExecutionFilter, 'from' | 'to'> = {};
    if (startOffset !== undefined && endOffset !== undefined) {
      const start = intOf(startOffset, 'start_time_offset', 0, 0);
      const end = intOf(endOffset, 'end_time_offset', 0, 0);
      if (start <= end) throw invalid('start_time_offset', 'must be bigger than end_time_offset', startOffset);
      Object.assign(window, { from: now - start * 60_000, to: now - end * 60_000 });
    }
    const counts = await this.executions.rillExecutionCounts({ name, statuses, ...window });
    const dag: Record<string, number> = {};
    for (const kind of type ? [type.toLowerCase()] : Object.keys(STATUSES_OF)) dag[kind] = STATUSES_OF[kind].reduce((n, s) => n + (counts.get(s) ?? 0), 0);
    return { dag, collect_time: now };
  }

  @Get('bg/get_execution_ids.json')
  @ApiOperation({ summary: "Rill Flow's back office: executions by id, business, feature and status, newest first, paged" })
  @ApiQuery({ name: 'id', required: false, description: 'one execution id' })
  @ApiQuery({ name: 'business', required: false })
  @ApiQuery({ name: 'feature', required: false })
  @ApiQuery({ name: 'status', required: false, description: 'succeed, running or failed' })
  @ApiQuery({ name: 'startTime', required: false, type: Number, description: 'epoch ms' })
  @ApiQuery({ name: 'endTime', required: false, type: Number, description: 'epoch ms' })
  @ApiQuery({ name: 'page', required: false, type: Number, description: 'from 1' })
  @ApiQuery({ name: 'pageSize', required: false, type: Number, description: 'at most 100 (20 by default)' })
  @ApiOkResponse({ schema: { type: 'object', properties: { total: { type: 'number' }, items: { type: 'array', items: { type: 'object' } } } } })
  @rillErrorResponses(400)
  async backOfficeExecutionIds(
    @Query('id') executionId?: string,
    @Query('business') business?: string,
    @Query('feature') feature?: string,
    @Query('status') status?: string,
    @Query('startTime') startTime?: string,
    @Query('endTime') endTime?: string,
    @Query('page') page?: string,
    @Query('pageSize') pageSize?: string,
  ) {
    const current = intOf(page, 'page', 1, 1, 1_000_000);
    const size = intOf(pageSize, 'pageSize', 20, 1, MAX_COUNT);
    if (executionId) {
      const wf = await this.lookup.find(executionId).catch(() => undefined);
      if (!wf) return { total: 0, items: [] };
      return { total: 1, items: [itemOf(1, { executionId, descriptorId: wf.workflowName, status: wf.status, createTime: wf.createTime })] };
    }
    if (feature && !business) throw invalid('business', 'is required with feature');
    const filter: RillExecutionFilter = {
      ...(business && feature ? { name: `${business}:${feature}` } : business ? { namePrefix: `${business}:` } : {}),
      statuses: statusesOf(status, 'status'),
      from: intOf(startTime, 'startTime', 0, 0),
      ...(endTime ? { to: intOf(endTime, 'endTime', 0, 0) } : {}),
    };
    const [rows, counts] = await Promise.all([this.executions.rillExecutions(filter, (current - 1) * size, size), this.executions.rillExecutionCounts(filter)]);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    return { total, items: rows.slice(0, size).map((r, i) => itemOf((current - 1) * size + i + 1, r)) };
  }

  @Get('bg/get_execution.json')
  @ApiOperation({ summary: "Rill Flow's back office: one execution, as get.json's `ret`" })
  @ApiQuery({ name: 'id', description: 'the execution id' })
  @ApiOkResponse({ schema: { type: 'object' } })
  @rillErrorResponses(400, 404)
  async backOfficeExecution(@Query('id') executionId?: string) {
    return rillExecutionView(executionId as string, await this.lookup.find(executionId, 'id'), false);
  }
}

function itemOf(id: number, r: { executionId: string; descriptorId: string; status: WorkflowStatus; createTime: number }) {
  const [businessId, featureId] = r.descriptorId.split(':');
  return { id, execution_id: r.executionId, submit_time: r.createTime, business_id: businessId, feature_id: featureId, status: RILL_DAG_STATUS[r.status] };
}
