import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * Search projections kept by the indexer (the Postgres search backend). Upserts are guarded by
 * `version`, so a late or redelivered event never overwrites a newer document.
 */
@Entity({ name: 'search_workflow' })
@Index('idx_search_workflow_type_start', ['workflowType', 'startTime'])
export class SearchWorkflowEntity {
  @PrimaryColumn({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'workflow_type', type: 'varchar', length: 255 })
  workflowType!: string;

  @Column({ type: 'varchar', length: 32 })
  status!: string;

  @Column({ name: 'correlation_id', type: 'varchar', length: 255, nullable: true })
  correlationId!: string | null;

  @Column({ name: 'start_time', type: 'timestamptz' })
  startTime!: Date;

  @Column({ name: 'update_time', type: 'timestamptz' })
  updateTime!: Date;

  @Column({ type: 'jsonb' })
  doc!: Record<string, unknown>;
}

@Entity({ name: 'search_task' })
@Index('idx_search_task_workflow', ['workflowId'])
export class SearchTaskEntity {
  @PrimaryColumn({ name: 'task_id', type: 'uuid' })
  taskId!: string;

  @Column({ type: 'integer' })
  version!: number;

  @Column({ name: 'workflow_id', type: 'uuid' })
  workflowId!: string;

  @Column({ name: 'task_type', type: 'varchar', length: 255 })
  taskType!: string;

  @Column({ type: 'varchar', length: 32 })
  status!: string;

  @Column({ name: 'update_time', type: 'timestamptz' })
  updateTime!: Date;

  @Column({ type: 'jsonb' })
  doc!: Record<string, unknown>;
}
