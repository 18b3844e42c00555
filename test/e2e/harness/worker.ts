import { ConductorClient, TaskView } from './conductor-client';

/**
 * A Conductor-style worker: long-polls a task type in batches, runs a handler, reports COMPLETED. Records
 * every task it was handed so tests can check that nothing is handed out twice. Like the Conductor SDKs it
 * rides out an outage (a restart, a rebalance): it polls again when Baton is unreachable and retries a
 * result it could not deliver, until Baton answers — a 4xx is an answer (the task ended meanwhile).
 */
export class PollingWorker {
  readonly handled: TaskView[] = [];
  private running = false;
  private loop: Promise<void> | null = null;

  constructor(
    private readonly client: ConductorClient,
    readonly taskType: string,
    private readonly workerId: string,
    private readonly handler: (task: TaskView) => Record<string, unknown>,
    private readonly batch = 5,
  ) {}

  start(): this {
    this.running = true;
    this.loop = this.run();
    return this;
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  private async run(): Promise<void> {
    while (this.running) {
      const tasks = await this.client.poll(this.taskType, this.workerId, this.batch, 500).catch(async () => {
        await new Promise((r) => setTimeout(r, 100)); // not listening: Baton is restarting
        return [] as TaskView[];
      });
      for (const task of tasks) {
        this.handled.push(task);
        await this.completeWithRetry(task, this.handler(task));
      }
    }
  }

  /** Workers retry updates that fail transiently (as the Conductor SDKs do). */
  private async completeWithRetry(task: TaskView, outputData: Record<string, unknown>): Promise<void> {
    const result = { workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, status: 'COMPLETED', outputData, workerId: this.workerId };
    for (let attempt = 1; attempt <= 50; attempt++) {
      try {
        const r = await this.client.call('POST', '/api/tasks', result);
        if (r.status < 500) return;
      } catch {
        // not listening: Baton is restarting
      }
      await new Promise((r) => setTimeout(r, Math.min(200 * attempt, 1000)));
    }
    throw new Error(`could not report task ${task.taskId} after 50 attempts`);
  }
}
