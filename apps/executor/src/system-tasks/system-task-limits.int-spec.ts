import { replyOk, Task, UpdateTaskCommand } from '@app/contracts';
import { BusMessage, MessageBus } from '@app/bus';
import { PgNotificationHub, TaskQueue } from '@app/persistence';
import { Clock, IdGenerator } from '@app/runtime';
import { EventEmitter, once } from 'node:events';
import { DataSource } from 'typeorm';
import { createMigratedDataSource, TestDatabase } from '../../../../test/support/database';
import { defineTask, enqueueTask, executorQueueWrite } from '../../../../test/support/task-queue';
import { QueuedSystemTaskWorker, SystemTaskOutcome } from './system-task.worker';

const TYPE = 'LIMITS_SYS';

/** The engine's worker for a made-up system task type, whose calls finish when the test says so. */
class HeldWorker extends QueuedSystemTaskWorker {
  protected readonly type = TYPE;
  readonly started = new EventEmitter();
  /** Calls in flight, by the task's definition, each with how to finish it. */
  readonly inFlight = new Map<string, Map<string, () => void>>();
  readonly ran: Task[] = [];
  readonly most = new Map<string, number>();

  protected perform(task: Task): Promise<SystemTaskOutcome> {
    return new Promise((resolve) => {
      const calls = this.inFlight.get(task.taskDefName) ?? new Map<string, () => void>();
      this.inFlight.set(task.taskDefName, calls);
      calls.set(task.taskId, () => {
        calls.delete(task.taskId);
        resolve({ status: 'COMPLETED', outputData: {} });
      });
      this.ran.push(task);
      this.most.set(task.taskDefName, Math.max(this.most.get(task.taskDefName) ?? 0, calls.size));
      this.started.emit('call');
    });
  }

  protected deadlineMs(): number {
    return 60_000;
  }

  runningOf(def: string): number {
    return this.inFlight.get(def)?.size ?? 0;
  }

  /** Finishes one call of the definition (its result then goes to the executor). */
  finishOne(def: string): void {
    const [finish] = this.inFlight.get(def)?.values() ?? [];
    finish?.();
  }

  finishAll(): void {
    for (const calls of this.inFlight.values()) for (const finish of [...calls.values()]) finish();
  }

  async until(holds: () => boolean): Promise<void> {
    while (!holds()) await once(this.started, 'call');
  }
}

/** The bus as the engine's worker sees it: a result is answered after "the executor" ended the task's queue row. */
class ExecutorStandIn extends MessageBus {
  readonly requestTimeoutMs = 5000;
  constructor(private readonly end: (taskId: string) => Promise<unknown>) {
    super();
  }
  async publish(): Promise<void> {}
  async request<TReply>(message: BusMessage): Promise<TReply> {
    const { result } = message.value as UpdateTaskCommand;
    await this.end(result.taskId);
    return replyOk({ taskId: result.taskId }) as TReply;
  }
}

/**
 * The engine's own queued worker (HTTP, KAFKA_PUBLISH) under task definition limits, on real Postgres: its
 * queue holds tasks of many definitions, each counted against its own concurrentExecLimit.
 */
describe("the engine's system-task worker under task definition limits (real Postgres)", () => {
  let db: TestDatabase;
  let ds: DataSource;
  let queue: TaskQueue;
  let hub: PgNotificationHub;
  let worker: HeldWorker;

  beforeAll(async () => {
    ({ db, dataSource: ds } = await createMigratedDataSource('baton_syslimits'));
    queue = new TaskQueue(ds);
    hub = new PgNotificationHub(db.url);
    const bus = new ExecutorStandIn((taskId) => executorQueueWrite(ds, queue, { remove: [taskId] }));
    worker = new HeldWorker(queue, bus, hub, new Clock(), new IdGenerator());
  });

  afterAll(async () => {
    worker?.finishAll();
    await worker?.onModuleDestroy();
    await hub?.close();
    await ds?.destroy();
    await db?.drop();
  });

  it('runs at most concurrentExecLimit calls of a definition at once, the others of its queue alongside, and every task once', async () => {
    await defineTask(ds, 'call_guarded', { concurrentExecLimit: 2 });
    const guarded: string[] = [];
    const open: string[] = [];
    // The guarded definition's tasks first in line: they must not hold up the others.
    for (let i = 0; i < 6; i++) guarded.push(await enqueueTask(ds, queue, TYPE, { taskDefName: 'call_guarded' }));
    for (let i = 0; i < 3; i++) open.push(await enqueueTask(ds, queue, TYPE, { taskDefName: 'call_open' }));

    await worker.onApplicationBootstrap();
    await worker.until(() => worker.runningOf('call_guarded') >= 2 && worker.runningOf('call_open') === 3);
    expect(worker.runningOf('call_guarded')).toBe(2);
    const [{ n: leased }] = await ds.query(`SELECT count(*)::int AS n FROM task_queue WHERE task_def_name = 'call_guarded' AND leased_until IS NOT NULL`);
    expect(leased).toBe(2);

    // Each call that ends frees a slot, and the next guarded task takes it.
    for (let next = 3; next <= 6; next++) {
      worker.finishOne('call_guarded');
      await worker.until(() => worker.ran.filter((t) => t.taskDefName === 'call_guarded').length === next);
    }
    worker.finishAll();

    expect(worker.most.get('call_guarded')).toBe(2);
    expect(worker.ran.map((t) => t.taskId).sort()).toEqual([...guarded, ...open].sort());
  });
});
