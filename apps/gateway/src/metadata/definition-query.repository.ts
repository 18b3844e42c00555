import { Injectable } from '@nestjs/common';
import type { EventHandler, ResolvedTaskDef, WorkflowDef, WorkflowDefSummary } from '@app/contracts';
import { EventHandlerEntity, TaskDefEntity, WorkflowDefEntity } from '@app/persistence';
import { DataSource } from 'typeorm';

/** Read side of the definitions, for serving them over HTTP (the metadata app owns the writes). */
@Injectable()
export class DefinitionQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  async workflowDef(name: string, version?: number): Promise<WorkflowDef | null> {
    const repo = this.dataSource.getRepository(WorkflowDefEntity);
    const row = version
      ? await repo.findOne({ where: { name, version } })
      : await repo.findOne({ where: { name }, order: { version: 'DESC' } });
    return row?.definition ?? null;
  }

  /** Every version of every workflow definition. */
  async workflowDefs(): Promise<WorkflowDef[]> {
    const rows = await this.dataSource.getRepository(WorkflowDefEntity).find({ order: { name: 'ASC', version: 'ASC' } });
    return rows.map((r) => r.definition);
  }

  async latestWorkflowDefs(): Promise<WorkflowDef[]> {
    const rows: Array<{ definition: WorkflowDef }> = await this.dataSource.query(
      `SELECT DISTINCT ON (name) definition FROM workflow_def ORDER BY name, version DESC`,
    );
    return rows.map((r) => r.definition);
  }

  async workflowNames(): Promise<string[]> {
    const rows: Array<{ name: string }> = await this.dataSource.query('SELECT DISTINCT name FROM workflow_def ORDER BY name');
    return rows.map((r) => r.name);
  }

  async summaries(name?: string): Promise<WorkflowDefSummary[]> {
    const rows: Array<{ name: string; version: number; create_time: Date; update_time: Date }> = await this.dataSource.query(
      `SELECT name, version, create_time, update_time FROM workflow_def WHERE ($1::text IS NULL OR name = $1) ORDER BY name, version`,
      [name ?? null],
    );
    return rows.map((r) => ({ name: r.name, version: r.version, createTime: r.create_time.getTime(), updateTime: r.update_time.getTime() }));
  }

  async taskDef(name: string): Promise<ResolvedTaskDef | null> {
    const row = await this.dataSource.getRepository(TaskDefEntity).findOne({ where: { name } });
    return row?.definition ?? null;
  }

  async taskDefs(): Promise<ResolvedTaskDef[]> {
    const rows = await this.dataSource.getRepository(TaskDefEntity).find({ order: { name: 'ASC' } });
    return rows.map((r) => r.definition);
  }

  async eventHandlers(event?: string, activeOnly = false): Promise<EventHandler[]> {
    const where = { ...(event !== undefined ? { event } : {}), ...(activeOnly ? { active: true } : {}) };
    const rows = await this.dataSource.getRepository(EventHandlerEntity).find({ where, order: { name: 'ASC' } });
    return rows.map((r) => r.definition);
  }
}
