import type { Task, TaskList, TaskNode } from '@app/contracts';
import type { ChildEnded, StartOutcome } from '../events';
import type { Kernel, ScheduleOptions } from '../kernel';
import type { TimerKind } from '../timers';

/**
 * One task type's behaviour in the decider. `schedule` turns a workflow task into zero, one or many task
 * instances; the optional hooks say what the type does when something it waits for reports. Everything
 * shared — retries, optional tasks, timeouts, leases, what follows in the flow — is the kernel's.
 */
export interface TaskHandler {
  /** The workflow task was reached (or is retried): create its instance and start what it starts. */
  schedule(k: Kernel, node: TaskNode, opts: ScheduleOptions): void;
  /**
   * Whether results reported through the task API (`POST /api/tasks`) apply to it: worker tasks, and the
   * asynchronous types that something outside completes (WAIT without a timer, SUB_WORKFLOW by hand).
   */
  readonly acceptsResults: boolean;
  /**
   * An attempt is about to complete (`task` as it will be, result included): what the type does with the
   * result first (a Rill Flow task maps its output into the context). Returns why the result cannot be
   * taken when it cannot — the attempt then fails instead (and is retried per its definition).
   */
  onCompleting?(k: Kernel, task: Readonly<Task>): string | undefined;
  /** A list this task owns (a case, a branch) ran to its end. */
  onListEnded?(k: Kernel, task: Readonly<Task>, list: TaskList): void;
  /** Re-evaluated while a decision settles; true when it changed something (JOIN completes). */
  evaluate?(k: Kernel, task: Readonly<Task>): boolean;
  /** A timer of this type's own (not a shared timeout) fired for the task. */
  onTimer?(k: Kernel, task: Readonly<Task>, kind: TimerKind): void;
  /**
   * The child workflows the task waits on, when it may start more than one (a Rill Flow choice or foreach):
   * their ends are its to hear, and they are stopped if the task ends first. Absent: its `subWorkflowId`.
   */
  childrenOf?(task: Readonly<Task>): string[];
  /** The child workflow the task started ended. */
  onChildEnded?(k: Kernel, task: Readonly<Task>, event: ChildEnded): void;
  /** The workflow the task asked to start started, or could not. */
  onStartOutcome?(k: Kernel, task: Readonly<Task>, event: StartOutcome): void;
  /** A queued type's lease, in ms, when its lease is not the task's responseTimeoutSeconds (HTTP's: its call's timeouts). */
  leaseMsOf?(task: Readonly<Task>): number;
}
