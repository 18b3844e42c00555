import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import type { TaskStatus, WorkflowStatus } from '@app/contracts';

/**
 * One row per workflow execution, written only by the executor that owns the workflow's partition.
 * `version` is the optimistic lock: every write is `… WHERE version = <loaded version>`, so an owner that
 * lost its partition in a rebalance cannot overwrite its successor's work.
 */
@Entity({ name: 'workflow' })
export class WorkflowEntity {
  @PrimaryColumn({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @Column({ name: 'workflow_name', type: 'varchar', length: 255 })
  workflowName!: string;

  @Column({ name: 'workflow_version', type: 'integer' })
  workflowVersion!: number;

  @Column({ type: 'varchar', length: 32 })
  status!: WorkflowStatus;

  @Column({ name: 'correlation_id', type: 'varchar', length: 255, nullable: true })
  correlationId!: string | null;

  @Column({ type: 'integer' })
  priority!: number;

  @Column({ type: 'integer' })
  version!: number;

  /** Everything else about the execution (input, output, variables…), without its definition. */
  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  /** The definition the run pinned at start, written once (older rows keep it in `data`). */
  @Column({ type: 'jsonb', nullable: true })
  definition!: Record<string, unknown> | null;

  @Column({ name: 'create_time', type: 'timestamptz' })
  createTime!: Date;

  @Column({ name: 'update_time', type: 'timestamptz' })
  updateTime!: Date;

  @Column({ name: 'end_time', type: 'timestamptz', nullable: true })
  endTime!: Date | null;

  /** StartWorkflowRequest.idempotencyKey, found per workflow name by a partial index. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 255, nullable: true })
  idempotencyKey!: string | null;

  /** The command that started a workflow under an idempotency key: its redelivery is no duplicate. */
  @Column({ name: 'start_command_id', type: 'uuid', nullable: true })
  startCommandId!: string | null;
}

/** One row per task attempt (a retry is a new row), written with its workflow in one transaction. */
@Entity({ name: 'task' })
@Index('uq_task_workflow_seq', ['workflowId', 'seq'], { unique: true })
export class TaskEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @Column({ type: 'integer' })
  seq!: number;

  @Column({ name: 'reference_task_name', type: 'varchar', length: 255 })
  referenceTaskName!: string;

  @Column({ name: 'task_type', type: 'varchar', length: 255 })
  taskType!: string;

  @Column({ type: 'varchar', length: 32 })
  status!: TaskStatus;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  data!: Record<string, unknown>;

  @Column({ name: 'update_time', type: 'timestamptz' })
  updateTime!: Date;
}

/**
 * The worker-task queue: a row per worker task that is waiting for a worker or held by one. Pushed by the
 * executor in the transaction that schedules the task; leased by a poller in one statement per batch
 * (`FOR UPDATE SKIP LOCKED`), which makes the task IN_PROGRESS for `lease_ms` (its responseTimeoutSeconds);
 * removed by the executor when the task ends. A lease that runs out is a response timeout, acted on by the
 * executor that owns the row's shard. Its ready index `(queue_name, priority DESC, visible_at)` lives in
 * the migration (TypeORM cannot say DESC).
 */
@Entity({ name: 'task_queue' })
export class TaskQueueEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ name: 'queue_name', type: 'varchar', length: 512 })
  queueName!: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @Column({ type: 'integer' })
  priority!: number;

  @Column({ name: 'visible_at', type: 'timestamptz' })
  visibleAt!: Date;

  @Column({ name: 'leased_until', type: 'timestamptz', nullable: true })
  leasedUntil!: Date | null;

  /** The Kafka partition or in-process lane of the workflow id: whose executor watches the lease. */
  @Column({ type: 'integer' })
  shard!: number;

  @Column({ name: 'lease_ms', type: 'integer' })
  leaseMs!: number;

  @Column({ name: 'worker_id', type: 'varchar', length: 255, nullable: true })
  workerId!: string | null;

  @Column({ name: 'leased_at', type: 'timestamptz', nullable: true })
  leasedAt!: Date | null;

  @Column({ name: 'poll_count', type: 'integer' })
  pollCount!: number;

  /** The task definition the row runs: the key its limits are counted by, across every queue holding it. */
  @Column({ name: 'task_def_name', type: 'varchar', length: 255 })
  taskDefName!: string;

  /** The lease was handed out under the definition's limits: it counts against them, and its end frees a slot. */
  @Column({ type: 'boolean', default: false })
  limited!: boolean;

  /** The lease is a hand-off to a transport (Kafka) that no worker has begun yet: its task is still SCHEDULED. */
  @Column({ name: 'awaiting_start', type: 'boolean', default: false })
  awaitingStart!: boolean;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}

/**
 * A limited task definition's lease bookkeeping: the row a poll locks to lease under the definition's
 * limits (concurrent polls take turns), and its rate window — when it began and how many tasks it handed
 * out. Written only by `TaskQueue.lease`.
 */
@Entity({ name: 'task_limit_state' })
export class TaskLimitStateEntity {
  @PrimaryColumn({ name: 'task_def_name', type: 'varchar', length: 255 })
  taskDefName!: string;

  @Column({ name: 'window_start', type: 'timestamptz', nullable: true })
  windowStart!: Date | null;

  @Column({ name: 'window_count', type: 'integer', default: 0 })
  windowCount!: number;
}

/**
 * A durable timer: written by the executor in the transaction that decides it, fired by the executor that
 * owns `shard` (its workflow's Kafka partition or in-process lane) once `due_at` passes. The firing
 * transaction deletes the row, so a timer fires once even across a rebalance.
 */
@Entity({ name: 'timer' })
export class TimerEntity {
  @PrimaryColumn({ name: 'timer_id', type: 'varchar', length: 128 })
  timerId!: string;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @Column({ type: 'integer' })
  shard!: number;

  @Column({ type: 'varchar', length: 32 })
  kind!: string;

  @Column({ name: 'task_id', type: 'uuid', nullable: true })
  taskId!: string | null;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;
}

/**
 * Transactional outbox: messages written in the same transaction as the state they describe, relayed to
 * the bus afterwards and deleted once the broker acknowledged them.
 */
@Entity({ name: 'outbox' })
@Index('idx_outbox_producer_id', ['producer', 'id'])
export class OutboxEntity {
  @PrimaryColumn({ type: 'bigint', generated: 'increment' })
  id!: string;

  @Column({ type: 'varchar', length: 64 })
  producer!: string;

  @Column({ type: 'varchar', length: 255 })
  topic!: string;

  @Column({ name: 'message_key', type: 'varchar', length: 255 })
  messageKey!: string;

  @Column({ type: 'jsonb' })
  payload!: unknown;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
