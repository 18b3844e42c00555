import { ConductorClient, TaskView } from './conductor-client';

/**
 * A Conductor-style worker: long-polls a task type in batches, runs a handler, reports COMPLETED. Records
 * every task it was handed so tests can check that nothing is handed out twice.
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
      const tasks = await this.client.poll(this.taskType, this.workerId, this.batch, 500).catch(() => [] as TaskView[]);
      for (const task of tasks) {
        this.handled.push(task);
        await this.completeWithRetry(task, this.handler(task));
      }
    }
  }

  /** Workers retry updates that fail transiently (as the Conductor SDKs do). */
  private async completeWithRetry(task: TaskView, output: Record<string, unknown>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.client.complete(task, output);
        return;
      } catch (err) {
        if (attempt >= 10) throw err;
        await new Promise((r) => setTimeout(r, 200 * attempt));
      }
    }
  }
}
