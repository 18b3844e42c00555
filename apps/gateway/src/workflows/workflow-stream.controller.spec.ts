import { EventEmitter } from 'node:events';
import type { Request, Response } from 'express';
import { BatonError, ErrorCode, type Workflow } from '@app/contracts';
import type { WorkflowService } from './workflow.service';
import type { Watch, WorkflowWatcher } from './workflow-watcher';
import { WorkflowStreamController } from './workflow-stream.controller';

/** A response that records what the stream wrote, and can be made to hold writes back (a slow client). */
class FakeResponse extends EventEmitter {
  status_ = 0;
  frames: string[] = [];
  writableEnded = false;
  writableNeedDrain = false;
  writeHead(status: number): this {
    this.status_ = status;
    return this;
  }
  flushHeaders(): void {}
  status(code: number): this {
    this.status_ = code;
    return this;
  }
  write(chunk: string): boolean {
    this.frames.push(chunk);
    return !this.writableNeedDrain;
  }
  end(): void {
    this.writableEnded = true;
  }
  /** The `workflow` events' statuses, in order. */
  events(): string[] {
    return this.frames.filter((f) => f.startsWith('event: workflow')).map((f) => (JSON.parse(f.split('\ndata: ')[1]) as Workflow).status);
  }
}

/** A watcher whose changes the test announces. */
class FakeWatcher {
  private wake: ((changed: boolean) => void) | null = null;
  private changed = false;
  cancelled = 0;
  arm(): Watch {
    return {
      add: () => undefined,
      wait: () =>
        this.changed
          ? ((this.changed = false), Promise.resolve(true))
          : new Promise<boolean>((resolve) => {
              this.wake = resolve;
            }),
      cancel: () => {
        this.cancelled += 1;
        const wake = this.wake;
        this.wake = null;
        wake?.(false);
      },
    };
  }
  /** A change of the watched workflow; `timeout` stands for a heartbeat instead. */
  notify(timeout = false): void {
    const wake = this.wake;
    this.wake = null;
    if (wake) wake(!timeout);
    else if (!timeout) this.changed = true;
  }
}

const wf = (status: Workflow['status'], n = 0): Workflow => ({ workflowId: 'wf-1', status, updateTime: 1000 + n, createTime: 1000, tasks: [{ n }] }) as unknown as Workflow;
const flush = () => new Promise((r) => setTimeout(r, 0));
/** Past the coalescing window after a change. */
const settle = () => new Promise((r) => setTimeout(r, 200));

function setup(reads: Array<Workflow | Error>) {
  const watcher = new FakeWatcher();
  const nudges: string[] = [];
  const workflows = {
    get: jest.fn(async () => {
      const next = reads.length > 1 ? reads.shift()! : reads[0];
      if (next instanceof Error) throw next;
      return next;
    }),
    nudge: jest.fn(async (id: string, _type: string, watchMs?: number) => {
      nudges.push(`${id} for ${watchMs} ms`);
    }),
  };
  const controller = new WorkflowStreamController(workflows as unknown as WorkflowService, watcher as unknown as WorkflowWatcher, { heartbeatMs: 60_000 });
  const req = new EventEmitter();
  const res = new FakeResponse();
  const open = (lastEventId?: string) => controller.stream('wf-1', req as unknown as Request, res as unknown as Response, undefined, lastEventId);
  return { controller, watcher, workflows, nudges, req, res, open };
}

describe('the workflow change stream', () => {
  it('sends the workflow at once and asks its owner to notify its changes', async () => {
    const { res, nudges, req, open } = setup([wf('RUNNING', 0)]);
    const done = open();
    await flush();
    expect(res.status_).toBe(200);
    expect(res.events()).toEqual(['RUNNING']);
    // Watched for two heartbeats.
    expect(nudges).toEqual(['wf-1 for 120000 ms']);
    req.emit('close');
    await done;
  });

  it('at each heartbeat with no change: a keep-alive, the watch asked again before it lapses, and a read', async () => {
    const { watcher, res, nudges, workflows, req, open } = setup([wf('RUNNING', 0)]);
    const done = open();
    await flush();
    watcher.notify(true);
    await flush();
    await flush();
    expect(res.frames.filter((f) => f.startsWith(': keep-alive'))).toHaveLength(1);
    expect(nudges).toEqual(['wf-1 for 120000 ms', 'wf-1 for 120000 ms']);
    expect(workflows.get).toHaveBeenCalledTimes(2);
    expect(res.events()).toEqual(['RUNNING']); // the same state: nothing sent
    req.emit('close');
    await done;
  });

  it('follows changes until the end; a change that reads the same state sends nothing', async () => {
    const states = [wf('RUNNING', 0), wf('RUNNING', 1), wf('RUNNING', 1), wf('COMPLETED', 2)];
    const { watcher, res, open } = setup(states);
    const done = open();
    await flush();
    watcher.notify();
    await settle();
    watcher.notify(); // reads the same state again: no event
    await settle();
    watcher.notify();
    await done;
    expect(res.events()).toEqual(['RUNNING', 'RUNNING', 'COMPLETED']);
    expect(res.writableEnded).toBe(true);
    expect(watcher.cancelled).toBe(1);
  });

  it('answers an ended workflow with one event and ends; a reconnect (Last-Event-ID) to it gets 204', async () => {
    const first = setup([wf('TERMINATED')]);
    await first.open();
    expect(first.res.events()).toEqual(['TERMINATED']);
    expect(first.res.writableEnded).toBe(true);
    expect(first.nudges).toEqual([]);

    const again = setup([wf('TERMINATED')]);
    await again.open('1000');
    expect(again.res.status_).toBe(204);
    expect(again.res.frames).toEqual([]);
  });

  it('throws the 404 before any byte for an unknown workflow, and stops watching', async () => {
    const { res, watcher, open } = setup([new BatonError(ErrorCode.WorkflowNotFound, 'No such workflow found by id: wf-1')]);
    await expect(open()).rejects.toMatchObject({ code: ErrorCode.WorkflowNotFound });
    expect(res.status_).toBe(0);
    expect(watcher.cancelled).toBe(1);
  });

  it('ends with a gone event when the workflow is removed; ends without one when a read fails otherwise (the client reconnects)', async () => {
    const removed = setup([wf('RUNNING'), new BatonError(ErrorCode.WorkflowNotFound, 'gone')]);
    const done = removed.open();
    await flush();
    removed.watcher.notify();
    await done;
    expect(removed.res.frames.at(-1)).toMatch(/^event: gone\n/);

    const failing = setup([wf('RUNNING'), new Error('connection to 10.0.0.7 refused')]);
    const ended = failing.open();
    await flush();
    failing.watcher.notify();
    await ended;
    expect(failing.res.frames.some((f) => f.includes('gone') || f.includes('10.0.0.7'))).toBe(false);
    expect(failing.res.writableEnded).toBe(true);
  });

  it('stops at once when the client leaves, while waiting or during its first read', async () => {
    const waiting = setup([wf('RUNNING')]);
    const done = waiting.open();
    await flush();
    waiting.req.emit('close');
    await done;
    expect(waiting.watcher.cancelled).toBe(1);
    expect(waiting.workflows.get).toHaveBeenCalledTimes(1);

    // Gone before the first read answered: nothing is written, nothing is nudged.
    const early = setup([wf('RUNNING')]);
    const started = early.open();
    early.req.emit('close');
    await started;
    expect(early.res.frames).toEqual([]);
    expect(early.nudges).toEqual([]);
  });

  it('keeps only the newest state for a client that has not taken the last frame (no backlog), and sends it on drain', async () => {
    const { watcher, res, open, req } = setup([wf('RUNNING', 0), wf('RUNNING', 1), wf('RUNNING', 2), wf('RUNNING', 3)]);
    const done = open();
    await flush();
    res.writableNeedDrain = true;
    for (let i = 0; i < 3; i++) {
      watcher.notify();
      await settle();
    }
    expect(res.events()).toEqual(['RUNNING']);
    res.writableNeedDrain = false;
    res.emit('drain');
    const sent = res.frames.filter((f) => f.startsWith('event: workflow')).map((f) => (JSON.parse(f.split('\ndata: ')[1]) as { updateTime: number }).updateTime);
    expect(sent).toEqual([1000, 1003]);
    req.emit('close');
    await done;
  });

  it('ends every open stream before the server closes, and starts no new one', async () => {
    const { controller, res, open } = setup([wf('RUNNING')]);
    const done = open();
    await flush();
    controller.beforeApplicationShutdown();
    await done;
    expect(res.writableEnded).toBe(true);

    const late = setup([wf('RUNNING')]);
    late.controller.beforeApplicationShutdown();
    await late.open();
    expect(late.res.frames).toEqual([]);
    expect(late.workflows.get).not.toHaveBeenCalled();
  });
});
