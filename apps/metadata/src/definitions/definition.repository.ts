import { Injectable } from '@nestjs/common';
import type { ResolvedTaskDef, WorkflowDef } from '@app/contracts';
import { EntityManager } from 'typeorm';

/** The definitions aggregate (task defs and versioned workflow defs). The metadata app is its only writer. */
@Injectable()
export class DefinitionRepository {
  async upsertTaskDefs(m: EntityManager, defs: readonly ResolvedTaskDef[], now: number): Promise<void> {
    for (const def of defs) {
      // createTime survives an update, as in Conductor.
      await m.query(
        `INSERT INTO task_def (name, definition, create_time, update_time) VALUES ($1, $2, to_timestamp($3 / 1000.0), to_timestamp($3 / 1000.0))
         ON CONFLICT (name) DO UPDATE SET
           definition = EXCLUDED.definition || jsonb_build_object('createTime', task_def.definition -> 'createTime'),
           update_time = EXCLUDED.update_time`,
        [def.name, def, now],
      );
    }
  }

  async workflowDefExists(m: EntityManager, name: string, version: number): Promise<boolean> {
    const rows: unknown[] = await m.query('SELECT 1 FROM workflow_def WHERE name = $1 AND version = $2 FOR UPDATE', [name, version]);
    return rows.length > 0;
  }

  async upsertWorkflowDef(m: EntityManager, def: WorkflowDef & { version: number }, now: number): Promise<void> {
    await m.query(
      `INSERT INTO workflow_def (name, version, definition, create_time, update_time)
       VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), to_timestamp($4 / 1000.0))
       ON CONFLICT (name, version) DO UPDATE SET
         definition = EXCLUDED.definition || jsonb_build_object('createTime', workflow_def.definition -> 'createTime'),
         update_time = EXCLUDED.update_time`,
      [def.name, def.version, def, now],
    );
  }
}
