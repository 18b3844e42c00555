import { Injectable } from '@nestjs/common';
import { isWorkerTaskType, ResolvedTaskDef, WorkflowDef, WorkflowTask } from '@app/contracts';
import { TaskDefEntity, WorkflowDefEntity } from '@app/persistence';
import { EntityManager, In } from 'typeorm';

/**
 * Reads the definitions a run needs from the metadata app's tables (read-only: metadata is their only
 * writer). A run pins its definition at start: the workflow definition with each worker task's
 * registered TaskDef attached, as Conductor does (MetadataMapperService.populateTaskDefinitions).
 */
@Injectable()
export class DefinitionReader {
  async workflowDef(m: EntityManager, name: string, version?: number): Promise<WorkflowDef | null> {
    const row = version
      ? await m.findOne(WorkflowDefEntity, { where: { name, version } })
      : await m.findOne(WorkflowDefEntity, { where: { name }, order: { version: 'DESC' } });
    return row?.definition ?? null;
  }

  async withTaskDefs(m: EntityManager, def: WorkflowDef): Promise<WorkflowDef> {
    const names = [...new Set(def.tasks.filter((t) => !t.taskDefinition && isWorkerTaskType(t.type)).map((t) => t.name))];
    if (!names.length) return def;
    const rows = await m.find(TaskDefEntity, { where: { name: In(names) } });
    const byName = new Map<string, ResolvedTaskDef>(rows.map((r) => [r.name, r.definition]));
    const attach = (t: WorkflowTask): WorkflowTask =>
      !t.taskDefinition && byName.has(t.name) ? { ...t, taskDefinition: byName.get(t.name) } : t;
    return { ...def, tasks: def.tasks.map(attach) };
  }
}
