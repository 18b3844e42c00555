import { DefinitionQueries } from './queries/definition.queries';
import { ExecutionQueries } from './queries/execution.queries';
import { TaskQueue } from './task-queue';

/** The apps, by their folder under `apps/`. */
export type AppName = 'gateway' | 'metadata' | 'executor' | 'indexer' | 'embedded';

export interface TableOwnership {
  /** The one app that writes the table. */
  readonly owner: AppName;
  /** What the other apps read the table through; absent when only its owner reads it. */
  readonly readThrough?: ReadonlyArray<abstract new (...args: never[]) => unknown>;
  /**
   * A table written by more than its owner, through one component of this lib: which app may call each of
   * the component's writing operations. Only the task queue, whose pollers lease rows the executor pushed.
   */
  readonly writtenThrough?: { readonly component: typeof TaskQueue; readonly operations: Partial<Record<keyof TaskQueue, readonly AppName[]>> };
}

const executions = { owner: 'executor', readThrough: [ExecutionQueries] } as const;
const definitions = { owner: 'metadata', readThrough: [DefinitionQueries] } as const;

/**
 * Who writes each table (CONVENTIONS §5: one writing app per table; the other apps read it through the
 * query module its owner publishes here). table-ownership.spec.ts holds the apps' sources to this map and
 * fails when a table the migrations create is missing from it.
 */
export const TABLE_OWNERS = {
  workflow: executions,
  task: executions,
  timer: { owner: 'executor' },
  outbox: { owner: 'executor' },
  task_queue: {
    owner: 'executor',
    readThrough: [TaskQueue, ExecutionQueries],
    writtenThrough: {
      component: TaskQueue,
      // Pollers lease through the gateway; the executor's own system-task workers (HTTP) lease like pollers.
      operations: { push: ['executor'], remove: ['executor'], extend: ['executor'], batchCtes: ['executor'], lease: ['gateway', 'executor'] },
    },
  },
  task_def: definitions,
  workflow_def: definitions,
  event_handler: definitions,
  rill_descriptor: definitions,
  rill_descriptor_alias: definitions,
  search_workflow: { owner: 'indexer' },
  search_task: { owner: 'indexer' },
} as const satisfies Record<string, TableOwnership>;

export type TableName = keyof typeof TABLE_OWNERS;
