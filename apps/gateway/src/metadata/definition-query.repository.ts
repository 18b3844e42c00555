import { Injectable } from '@nestjs/common';
import type { ResolvedTaskDef, WorkflowDef } from '@app/contracts';
import { TaskDefEntity, WorkflowDefEntity } from '@app/persistence';
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

  async taskDef(name: string): Promise<ResolvedTaskDef | null> {
    const row = await this.dataSource.getRepository(TaskDefEntity).findOne({ where: { name } });
    return row?.definition ?? null;
  }

  async taskDefs(): Promise<ResolvedTaskDef[]> {
    const rows = await this.dataSource.getRepository(TaskDefEntity).find({ order: { name: 'ASC' } });
    return rows.map((r) => r.definition);
  }
}
