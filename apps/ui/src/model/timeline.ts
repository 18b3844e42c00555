import { type Execution, type ExecutionTask, isTerminalTask } from './execution-types';

/** One task attempt on the Gantt: queued from `scheduled` to `started`, running from `started` to `ended`. */
export interface TimelineBar {
  readonly taskId: string;
  readonly ref: string;
  readonly label: string;
  readonly taskType: string;
  readonly status: ExecutionTask['status'];
  /** 0 for the first attempt, n for the n-th retry. */
  readonly retryCount: number;
  readonly iteration?: number;
  readonly scheduled: number;
  /** Undefined while it waits in its queue. */
  readonly started?: number;
  /** `now` for an attempt still running (`running: true`). */
  readonly ended: number;
  readonly running: boolean;
}

export interface Timeline {
  readonly bars: readonly TimelineBar[];
  /** The span every bar fits in (epoch ms); both 0 when no task has been scheduled. */
  readonly from: number;
  readonly to: number;
}

/**
 * The Gantt of an execution: one bar per task attempt (retries and loop iterations each their own), in
 * the order they were scheduled. `now` (epoch ms) ends the bars of attempts still queued or running:
 * passed in, so the builder stays pure.
 */
export function timelineOf(execution: Pick<Execution, 'tasks'>, now: number): Timeline {
  const bars: TimelineBar[] = [];
  for (const t of [...(execution.tasks ?? [])].sort((a, b) => a.seq - b.seq)) {
    const scheduled = t.scheduledTime || t.startTime || 0;
    if (!scheduled) continue; // never scheduled (e.g. a task created SKIPPED): nothing to draw
    const running = !isTerminalTask(t.status);
    const started = t.startTime > 0 ? t.startTime : undefined;
    const ended = running ? Math.max(now, started ?? scheduled) : Math.max(t.endTime || started || scheduled, started ?? scheduled);
    bars.push({
      taskId: t.taskId,
      ref: t.referenceTaskName,
      label: t.retryCount > 0 ? `${t.referenceTaskName} (retry ${t.retryCount})` : t.referenceTaskName,
      taskType: t.taskType,
      status: t.status,
      retryCount: t.retryCount,
      ...(t.iteration ? { iteration: t.iteration } : {}),
      scheduled,
      ...(started !== undefined ? { started } : {}),
      ended,
      running,
    });
  }
  bars.sort((a, b) => a.scheduled - b.scheduled);
  if (!bars.length) return { bars, from: 0, to: 0 };
  return { bars, from: Math.min(...bars.map((b) => b.scheduled)), to: Math.max(...bars.map((b) => b.ended)) };
}
