import { BeforeApplicationShutdown, Controller, Get, Logger, Param, Query, Req, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { isTerminalWorkflowStatus, type Workflow } from '@app/contracts';
import type { Request, Response } from 'express';
import { Params } from '../http/params';
import { boolQuery, errorResponses } from '../openapi/openapi.schemas';
import { WorkflowService } from './workflow.service';
import { WorkflowWatcher } from './workflow-watcher';

/** A change wakes the stream; it waits this long for the rest of a burst before it reads, so a busy workflow costs one read per window. */
const COALESCE_MS = 150;
/** With no change for this long, a comment line keeps proxies from closing the stream, and the workflow is read again (a notification lost to a reconnect is caught here). */
const HEARTBEAT_MS = 15_000;

/**
 * Baton's own: `GET /api/workflow/{id}/stream`, a server-sent event stream of one workflow as it runs, for
 * the web UI and any client that would rather be told than poll. Each `workflow` event carries the whole
 * workflow as `GET /api/workflow/{id}` answers it; the first is sent at once, the next each time it changed,
 * and the stream ends after the one that shows it ended.
 *
 * No polling: opening a stream on a running workflow asks its owner to notify every change of it from now on
 * (the `notifyChanges` flag the synchronous `execute` uses, NotificationChannel.WorkflowChanges at each
 * commit), and the gateway's WorkflowWatcher wakes the stream. The watch is armed before the first read,
 * so no change between the read and the wait is missed.
 */
@ApiTags('workflow')
@Controller('api/workflow')
export class WorkflowStreamController implements BeforeApplicationShutdown {
  private readonly log = new Logger(WorkflowStreamController.name);
  private readonly open = new Set<() => void>();

  constructor(
    private readonly workflows: WorkflowService,
    private readonly watcher: WorkflowWatcher,
  ) {}

  @Get(':workflowId/stream')
  @ApiOperation({ summary: "Baton's own: the workflow as server-sent events, one each time it changes, until it ends" })
  @boolQuery('includeTasks', true)
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: '`event: workflow` with the workflow as JSON in `data`, at once and after each change; the stream ends once the workflow has ended', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @errorResponses(400, 404)
  async stream(@Param('workflowId') workflowId: string, @Req() req: Request, @Res() res: Response, @Query('includeTasks') includeTasks?: string): Promise<void> {
    const p = new Params();
    const withTasks = p.bool('includeTasks', includeTasks, true);
    p.check();
    const watch = this.watcher.arm(workflowId);
    let first: Workflow;
    try {
      first = await this.workflows.get(workflowId, withTasks);
    } catch (e) {
      watch.cancel();
      throw e; // 404 in Conductor's body, before any byte of the stream
    }

    let closed = false;
    let stop: () => void = () => undefined;
    const stopped = new Promise<void>((resolve) => (stop = resolve));
    const close = () => {
      if (closed) return;
      closed = true;
      watch.cancel();
      this.open.delete(close);
      stop();
      res.end();
    };
    this.open.add(close);
    req.on('close', close);

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    let last = '';
    const send = (wf: Workflow): void => {
      const data = JSON.stringify(wf);
      if (data === last) return;
      last = data;
      res.write(`event: workflow\nid: ${wf.updateTime ?? wf.createTime ?? ''}\ndata: ${data}\n\n`);
    };
    send(first);
    if (isTerminalWorkflowStatus(first.status)) return close();
    // Ask the owner to notify this workflow's changes. Refused (it ended meanwhile) or lost: the heartbeat's read still follows it.
    await this.workflows.nudge(workflowId, 'workflow.decide', true).catch((e: Error) => this.log.warn(`stream of ${workflowId}: no change notifications (${e.message}); reading every ${HEARTBEAT_MS / 1000} s`));

    const sleep = (ms: number) => Promise.race([stopped, new Promise<void>((r) => setTimeout(r, ms).unref())]);
    while (!closed) {
      const changed = await Promise.race([watch.wait(HEARTBEAT_MS), stopped.then(() => false)]);
      if (closed) break;
      if (changed) await sleep(COALESCE_MS);
      else res.write(': keep-alive\n\n');
      if (closed) break;
      let wf: Workflow;
      try {
        wf = await this.workflows.get(workflowId, withTasks);
      } catch (e) {
        // Removed while watched, or the store is away: say so and end; the client may open it again.
        res.write(`event: gone\ndata: ${JSON.stringify({ message: (e as Error).message })}\n\n`);
        break;
      }
      if (closed) break;
      send(wf);
      if (isTerminalWorkflowStatus(wf.status)) break;
    }
    close();
  }

  /** Open streams would hold the HTTP server's close (which comes after this hook): each is ended first. */
  beforeApplicationShutdown(): void {
    for (const close of [...this.open]) close();
  }
}
