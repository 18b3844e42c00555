import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { ResolvedTaskDef, WorkflowDef } from '@app/contracts';

/** Written by the metadata app only; read by the others. */
@Entity({ name: 'task_def' })
export class TaskDefEntity {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'jsonb' })
  definition!: ResolvedTaskDef;

  @Column({ name: 'create_time', type: 'timestamptz' })
  createTime!: Date;

  @Column({ name: 'update_time', type: 'timestamptz' })
  updateTime!: Date;
}

/**
 * Written by the metadata app only; read by the others. Key = name + version; the primary key's index also
 * serves "latest version of X" (a backward scan).
 */
@Entity({ name: 'workflow_def' })
export class WorkflowDefEntity {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  name!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  definition!: WorkflowDef;

  @Column({ name: 'create_time', type: 'timestamptz' })
  createTime!: Date;

  @Column({ name: 'update_time', type: 'timestamptz' })
  updateTime!: Date;
}
