import { SystemTaskType, TaskStatus } from '@app/contracts';
import { taskDefOf } from '../task-defs';
import type { TaskHandler } from './task-handler';
import { enqueue } from './worker.handler';

/**
 * DYNAMIC: a worker task whose name is chosen at run time — the input parameter named by
 * `dynamicTaskNameParam` holds it. The task is queued under that name, like a SIMPLE task of it, under the
 * DYNAMIC task's reference; a retry chooses again. A name that does not resolve to text fails the task
 * with a terminal error (Conductor's message). It runs with the TaskDef registered under the chosen name
 * (kept on its row: retries and timeouts stay as begun), else the one the DYNAMIC task carries, else the
 * ad-hoc defaults — Conductor refuses a chosen name without a registered TaskDef.
 */
export const dynamicHandler: TaskHandler = {
  acceptsResults: true,
  schedule(k, node, opts) {
    const input = k.inputsOf(node.task);
    const param = node.task.dynamicTaskNameParam;
    const name = param ? input[param] : undefined;
    if (typeof name !== 'string' || !name.trim()) {
      const task = k.addTask(k.newTask(node, opts, { status: TaskStatus.InProgress, startTime: k.now }), 'start.begin');
      return k.failTask(task, {
        status: TaskStatus.FailedWithTerminalError,
        reason: `Cannot map a dynamic task based on the parameter and input. Parameter= ${param ?? null}, input= ${JSON.stringify(input)}`,
      });
    }
    // As Conductor: the task definition registered under the chosen name; else what the DYNAMIC task carries.
    const taskDefinition = k.taskDefs(name) ?? node.task.taskDefinition;
    const chosen = { ...node, task: { ...node.task, name, type: SystemTaskType.Simple, ...(taskDefinition ? { taskDefinition } : {}) } };
    enqueue(k, chosen, opts, taskDefOf(chosen.task).responseTimeoutSeconds * 1000);
  },
};
