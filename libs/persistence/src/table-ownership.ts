import { DefinitionQueries } from './queries/definition.queries';
import { ExecutionQueries } from './queries/execution.queries';
import { PgSearchReader } from './search/pg-search.reader';
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
   * the component's writing operations. Only the task queue's tables: its pollers lease rows the executor
   * pushed, and keep the limited task definitions' lease bookkeeping.
   */
  readonly writtenThrough?: { readonly component: typeof TaskQueue; readonly operations: Partial<Record<keyof TaskQueue, readonly AppName[]>> };
}

const definitions = { owner: 'metadata', readThrough: [DefinitionQueries] } as const;

/**
 * Who writes each table (CONVENTIONS §5: one writing app per table; the other apps read it through the
 * query module its owner publishes here). table-ownership.spec.ts holds the apps' sources to this map and
 * fails when a table the migrations create is missing from it.
 */
export const TABLE_OWNERS = {
  workflow: { owner: 'executor', readThrough: [ExecutionQueries] },
  // TaskQueue: a lease returns the task as its executor last wrote it.
  task: { owner: 'executor', readThrough: [ExecutionQueries, TaskQueue] },
  timer: { owner: 'executor' },
  outbox: { owner: 'executor' },
  task_queue: {
    owner: 'executor',
    readThrough: [TaskQueue, ExecutionQueries],
    writtenThrough: {
      component: TaskQueue,
      // Pollers lease through the gateway; the executor's own system-task workers (HTTP) lease like pollers,
      // and its Kafka dispatcher hands tasks off to native workers (lease), takes back what it could not
      // produce (release) and gives a hand-off to the worker that began it (begin).
      operations: {
        push: ['executor'],
        remove: ['executor'],
        extend: ['executor'],
        begin: ['executor'],
        release: ['executor'],
        batchCtes: ['executor'],
        lease: ['gateway', 'executor'],
        removeOrphans: ['executor'],
      },
    },
  },
  // The pollers' bookkeeping for limited task definitions (the lock a limited lease takes, the rate window):
  // written only by a lease — the gateway's pollers, and the executor's system-task workers as pollers.
  task_limit_state: {
    owner: 'gateway',
    writtenThrough: { component: TaskQueue, operations: { lease: ['gateway', 'executor'] } },
  },
  // TaskQueue: a lease reads the current limits (concurrentExecLimit, rate limit) of the tasks' definitions.
  task_def: { owner: 'metadata', readThrough: [DefinitionQueries, TaskQueue] },
  workflow_def: definitions,
  event_handler: definitions,
  rill_descriptor: definitions,
  rill_descriptor_alias: definitions,
  rill_business: definitions,
  rill_feature: definitions,
  rill_gray_rule: definitions,
  // Workers' task logs: the HTTP edge takes them in and serves them back.
  task_log: { owner: 'gateway' },
  // When each worker last polled each queue: recorded by the pollers' HTTP edge.
  poll_data: { owner: 'gateway' },
  search_workflow: { owner: 'indexer', readThrough: [PgSearchReader] },
  search_task: { owner: 'indexer', readThrough: [PgSearchReader] },
} as const satisfies Record<string, TableOwnership>;

export type TableName = keyof typeof TABLE_OWNERS;
