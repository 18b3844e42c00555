import { BeforeApplicationShutdown, Controller, Get, Headers, Inject, Logger, Param, Query, Req, Res } from '@nestjs/common';
import { ApiHeader, ApiOperation, ApiProduces, ApiResponse, ApiTags } from '@nestjs/swagger';
import { BatonError, ErrorCode, isTerminalWorkflowStatus, type Workflow } from '@app/contracts';
import type { Request, Response } from 'express';
import { Params } from '../http/params';
import { boolQuery, errorResponses } from '../openapi/openapi.schemas';
import { STREAM_CONFIG, type StreamConfig } from './stream.config';
import { WorkflowService } from './workflow.service';
import { WorkflowWatcher } from './workflow-watcher';

/** A change wakes the stream; it waits this long for the rest of a burst before it reads, so a busy workflow costs one read per window. */
const COALESCE_MS = 150;

/**
 * Baton's own: `GET /api/workflow/{id}/stream`, a server-sent event stream of one workflow as it runs, for
 * the web UI and any client that would rather be told than poll. Each `workflow` event carries the whole
 * workflow as `GET /api/workflow/{id}` answers it; the first is sent at once, the next each time it changed,
 * and the stream ends after the one that shows it ended. An EventSource that reconnects (`Last-Event-ID`) to
 * a workflow that has ended is answered 204, which tells it to stop. A workflow removed while streamed ends
 * the stream with a `gone` event; any other failure ends it without one, and the client reconnects.
 *
 * No polling: opening a stream on a running workflow asks its owner to notify every change of it
 * (`workflow.decide` with `watchMs`, which marks the workflow without changing it — what the synchronous
 * `execute` does: NotificationChannel.WorkflowChanges at each commit), and the gateway's WorkflowWatcher wakes
 * the stream. The watch lasts two heartbeats and each heartbeat asks again, so it lapses soon after the last
 * stream of the workflow closes. It is armed before the first read, so no change between the read and the
 * wait is missed.
 *
 * The stream carries state, not a log: a client that reads slower than the workflow changes is sent the
 * newest state once it has taken the last one (one frame in flight, one pending, never a backlog).
 */
@ApiTags('workflow')
@Controller('api/workflow')
export class WorkflowStreamController implements BeforeApplicationShutdown {
  private readonly log = new Logger(WorkflowStreamController.name);
  private readonly open = new Set<() => void>();
  private shuttingDown = false;

  constructor(
    private readonly workflows: WorkflowService,
    private readonly watcher: WorkflowWatcher,
    @Inject(STREAM_CONFIG) private readonly config: StreamConfig,
  ) {}

  @Get(':workflowId/stream')
  @ApiOperation({ summary: "Baton's own: the workflow as server-sent events, one each time it changes, until it ends" })
  @boolQuery('includeTasks', true)
  @ApiHeader({ name: 'Last-Event-ID', required: false, description: 'Sent by a reconnecting EventSource: a workflow that has ended is then answered 204 (stop reconnecting)' })
  @ApiProduces('text/event-stream')
  @ApiResponse({ status: 200, description: '`event: workflow` with the workflow as JSON in `data`, at once and after each change; the stream ends once the workflow has ended', content: { 'text/event-stream': { schema: { type: 'string' } } } })
  @ApiResponse({ status: 204, description: 'A reconnect (`Last-Event-ID`) to a workflow that has ended: nothing more will come' })
  @errorResponses(400, 404)
  async stream(@Param('workflowId') workflowId: string, @Req() req: Request, @Res() res: Response, @Query('includeTasks') includeTasks?: string, @Headers('last-event-id') lastEventId?: string): Promise<void> {
    const p = new Params();
    const withTasks = p.bool('includeTasks', includeTasks, true);
    p.check();

    let closed = false;
    let sleeping: { timer: NodeJS.Timeout; wake: () => void } | undefined;
    const watch = this.watcher.arm(workflowId);
    const release = () => {
      closed = true;
      watch.cancel(); // resolves a pending wait
      this.open.delete(close);
      if (sleeping) {
        clearTimeout(sleeping.timer);
        sleeping.wake();
      }
    };
    const close = () => {
      if (closed) return;
      release();
      if (!res.writableEnded) res.end();
    };
    // Attached before the first read: a client gone while it runs is noticed, and a shutdown meanwhile ends it.
    this.open.add(close);
    req.on('close', close);
    if (this.shuttingDown) return close();

    let first: Workflow;
    try {
      first = await this.workflows.get(workflowId, withTasks);
    } catch (e) {
      release();
      throw e; // 404 in Conductor's body, before any byte of the stream
    }
    if (closed) return;
    if (lastEventId !== undefined && isTerminalWorkflowStatus(first.status)) {
      release();
      res.status(204).end();
      return;
    }

    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform', connection: 'keep-alive', 'x-accel-buffering': 'no' });
    res.flushHeaders();
    let last = '';
    let pending: string | undefined;
    res.on('drain', () => {
      if (closed || pending === undefined) return;
      const frame = pending;
      pending = undefined;
      res.write(frame);
    });
    const send = (wf: Workflow): void => {
      const data = JSON.stringify(wf);
      if (data === last) return;
      last = data;
      const frame = `event: workflow\nid: ${wf.updateTime ?? wf.createTime ?? ''}\ndata: ${data}\n\n`;
      // The client has not taken the last frame yet: keep only the newest state for when it has.
      if (res.writableNeedDrain) pending = frame;
      else res.write(frame);
    };
    const sleep = (ms: number) =>
      new Promise<void>((wake) => {
        sleeping = { timer: setTimeout(wake, ms), wake };
      }).finally(() => (sleeping = undefined));

    send(first);
    if (isTerminalWorkflowStatus(first.status)) return close();
    // Ask the owner to notify this workflow's changes. Refused (it ended meanwhile) or lost: read again now,
    // and the heartbeat's reads follow it from then on.
    let readNow = false;
    const watchMs = 2 * this.config.heartbeatMs;
    await this.workflows.nudge(workflowId, 'workflow.decide', watchMs).catch((e: Error) => {
      readNow = true;
      this.log.warn(`stream of ${workflowId}: no change notifications (${e.message}); reading every ${this.config.heartbeatMs / 1000} s`);
    });

    while (!closed) {
      const changed = readNow || (await watch.wait(this.config.heartbeatMs));
      readNow = false;
      if (closed) break;
      if (changed) await sleep(COALESCE_MS);
      else {
        if (!res.writableNeedDrain) res.write(': keep-alive\n\n');
        // Still watched: the watch is renewed before it lapses (a refusal — it ended — shows in the read below).
        await this.workflows.nudge(workflowId, 'workflow.decide', watchMs).catch(() => undefined);
      }
      if (closed) break;
      let wf: Workflow;
      try {
        wf = await this.workflows.get(workflowId, withTasks);
      } catch (e) {
        // Removed while streamed: say so, and the client stops. Anything else (the store away a moment): end
        // without a word, and the client's reconnect reads it again.
        if (e instanceof BatonError && e.code === ErrorCode.WorkflowNotFound) res.write(`event: gone\ndata: ${JSON.stringify({ message: `No such workflow found by id: ${workflowId}` })}\n\n`);
        else this.log.warn(`stream of ${workflowId} ended: ${(e as Error).message}`);
        break;
      }
      if (closed) break;
      send(wf);
      if (isTerminalWorkflowStatus(wf.status)) break;
    }
    close();
  }

  /** Open streams would hold the HTTP server's close (which comes after this hook): each is ended first, and no new one starts. */
  beforeApplicationShutdown(): void {
    this.shuttingDown = true;
    for (const close of [...this.open]) close();
  }
}
