import { aTask } from '../../test-support/fixtures';
import { silentLogger } from '../logger';
import { WORKER_TASK_EVENTS_TOPIC, workerTopicOf } from '../protocol';
import type { WorkerTaskReport } from '../protocol';
import { TaskOutcome } from '../task-outcome';
import { Worker } from '../worker';
import type { WorkerBus } from './bus.transport';

/** An in-memory bus: one subscriber per topic, publish delivers at once (as the engine's in-process bus does). */
class MemoryBus implements WorkerBus {
  readonly published: Array<{ topic: string; key: string; value: unknown }> = [];
  private readonly subscribers = new Map<string, (m: { key: string; value: unknown }) => Promise<void> | void>();

  subscribe(topic: string, handler: (m: { key: string; value: unknown }) => Promise<void> | void): () => void {
    this.subscribers.set(topic, handler);
    return () => this.subscribers.delete(topic);
  }

  async publish(topic: string, key: string, value: unknown): Promise<void> {
    this.published.push({ topic, key, value });
    await this.subscribers.get(topic)?.({ key, value });
  }

  reports(): WorkerTaskReport[] {
    return this.published.filter((m) => m.topic === WORKER_TASK_EVENTS_TOPIC).map((m) => m.value as WorkerTaskReport);
  }

  async until(holds: () => boolean, ms = 2000): Promise<void> {
    const end = Date.now() + ms;
    while (!holds()) {
      if (Date.now() > end) throw new Error('timed out');
      await new Promise((r) => setTimeout(r, 5));
    }
  }
}

describe('the bus transport (the engine in the same process)', () => {
  it('runs the tasks produced on its topic, begun only as a slot takes each, and reports every result', async () => {
    const bus = new MemoryBus();
    let running = 0;
    let most = 0;
    const worker = new Worker({
      taskType: 'greet',
      concurrency: 2,
      logger: silentLogger,
      transport: { kind: 'bus', bus },
      handler: async (task) => {
        most = Math.max(most, ++running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
        if (task.inputData.fail) return TaskOutcome.failed('asked to fail');
        return { hello: task.inputData.name };
      },
    });
    await worker.start();
    const tasks = [1, 2, 3, 4].map((n) => aTask({ taskId: `t${n}`, workflowInstanceId: `w${n}`, inputData: n === 4 ? { fail: true } : { name: `n${n}` } }));
    for (const task of tasks) await bus.publish(workerTopicOf('greet'), task.taskId, { type: 'produce', task, producedAt: Date.now() });
    await bus.until(() => bus.reports().filter((r) => r.type !== 'start.begin').length === 4);
    await worker.stop({ timeoutMs: 1000 });

    expect(most).toBe(2);
    const reports = bus.reports();
    for (const t of tasks) {
      const mine = reports.filter((r) => r.taskId === t.taskId);
      expect(mine.map((r) => r.type)).toEqual(['start.begin', t.inputData.fail ? 'start.failed' : 'start.success']);
      expect(mine.every((r) => r.workflowId === t.workflowInstanceId && r.source === 'worker')).toBe(true);
    }
    expect(reports.find((r) => r.taskId === 't1' && r.type === 'start.success')?.result).toMatchObject({ status: 'COMPLETED', outputData: { hello: 'n1' } });
    expect(reports.find((r) => r.taskId === 't4' && r.type === 'start.failed')?.result).toMatchObject({ status: 'FAILED', reasonForIncompletion: 'asked to fail' });
  });

  it('takes nothing once stopped: a task produced after the stop is left to its timeout', async () => {
    const bus = new MemoryBus();
    const worker = new Worker({ taskType: 'greet', logger: silentLogger, transport: { kind: 'bus', bus }, handler: async () => ({}) });
    await worker.start();
    await worker.stop({ timeoutMs: 100 });
    const task = aTask({ taskId: 'late' });
    await bus.publish(workerTopicOf('greet'), task.taskId, { type: 'produce', task, producedAt: Date.now() });
    expect(bus.reports()).toEqual([]);
  });
});
