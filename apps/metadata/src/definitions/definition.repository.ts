import { Injectable } from '@nestjs/common';
import type { EventHandler, ResolvedTaskDef, WorkflowDef } from '@app/contracts';
import { NotificationChannel } from '@app/contracts';
import { EntityManager } from 'typeorm';

/**
 * The definitions aggregate: task defs, versioned workflow defs and event handlers. The metadata app is its
 * only writer; every method runs in the caller's transaction.
 */
@Injectable()
export class DefinitionRepository {
  /** Tells every process's caches, at commit, that a definition changed. */
  private async notify(m: EntityManager, kind: 'taskdef' | 'workflowdef' | 'eventhandler', name: string): Promise<void> {
    await m.query('SELECT pg_notify($1, $2)', [NotificationChannel.Definitions, `${kind}:${name}`]);
  }

  async upsertTaskDefs(m: EntityManager, defs: readonly ResolvedTaskDef[], now: number): Promise<void> {
    for (const def of defs) {
      await this.notify(m, 'taskdef', def.name);
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

  /** Input templates of the named task definitions (HTTP and similar tasks may take their request there). */
  async inputTemplates(m: EntityManager, names: readonly string[]): Promise<Map<string, { inputTemplate?: Record<string, unknown> }>> {
    if (!names.length) return new Map();
    const rows: Array<{ name: string; input_template: Record<string, unknown> | null }> = await m.query(
      `SELECT name, definition -> 'inputTemplate' AS input_template FROM task_def WHERE name = ANY($1::text[])`,
      [names],
    );
    return new Map(rows.map((r) => [r.name, { inputTemplate: r.input_template ?? undefined }]));
  }

  async taskDefExists(m: EntityManager, name: string): Promise<boolean> {
    const rows: unknown[] = await m.query('SELECT 1 FROM task_def WHERE name = $1 FOR UPDATE', [name]);
    return rows.length > 0;
  }

  /** Deletes a task definition; false when there was none. */
  async deleteTaskDef(m: EntityManager, name: string): Promise<boolean> {
    await this.notify(m, 'taskdef', name);
    const [, affected]: [unknown, number] = await m.query('DELETE FROM task_def WHERE name = $1', [name]);
    return affected > 0;
  }

  async workflowDefExists(m: EntityManager, name: string, version: number): Promise<boolean> {
    const rows: unknown[] = await m.query('SELECT 1 FROM workflow_def WHERE name = $1 AND version = $2 FOR UPDATE', [name, version]);
    return rows.length > 0;
  }

  async upsertWorkflowDef(m: EntityManager, def: WorkflowDef & { version: number }, now: number): Promise<void> {
    await this.notify(m, 'workflowdef', def.name);
    await m.query(
      `INSERT INTO workflow_def (name, version, definition, create_time, update_time)
       VALUES ($1, $2, $3, to_timestamp($4 / 1000.0), to_timestamp($4 / 1000.0))
       ON CONFLICT (name, version) DO UPDATE SET
         definition = EXCLUDED.definition || jsonb_build_object('createTime', workflow_def.definition -> 'createTime'),
         update_time = EXCLUDED.update_time`,
      [def.name, def.version, def, now],
    );
  }

  /** Deletes one version; running executions keep the copy they pinned at start. False when absent. */
  async deleteWorkflowDef(m: EntityManager, name: string, version: number): Promise<boolean> {
    await this.notify(m, 'workflowdef', name);
    const [, affected]: [unknown, number] = await m.query('DELETE FROM workflow_def WHERE name = $1 AND version = $2', [name, version]);
    return affected > 0;
  }

  async eventHandlerExists(m: EntityManager, name: string): Promise<boolean> {
    const rows: unknown[] = await m.query('SELECT 1 FROM event_handler WHERE name = $1 FOR UPDATE', [name]);
    return rows.length > 0;
  }

  async saveEventHandler(m: EntityManager, handler: EventHandler, now: number): Promise<void> {
    await this.notify(m, 'eventhandler', handler.name);
    await m.query(
      `INSERT INTO event_handler (name, event, active, definition, create_time, update_time)
       VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0), to_timestamp($5 / 1000.0))
       ON CONFLICT (name) DO UPDATE SET event = EXCLUDED.event, active = EXCLUDED.active,
         definition = EXCLUDED.definition, update_time = EXCLUDED.update_time`,
      [handler.name, handler.event, handler.active ?? true, handler, now],
    );
  }

  async deleteEventHandler(m: EntityManager, name: string): Promise<boolean> {
    await this.notify(m, 'eventhandler', name);
    const [, affected]: [unknown, number] = await m.query('DELETE FROM event_handler WHERE name = $1', [name]);
    return affected > 0;
  }

  /**
   * Stores a new version of a Rill Flow DAG (one more than the newest) and points `alias` at it; its
   * business and feature are listed. Serialised per DAG by an advisory lock, so two concurrent
   * registrations get distinct versions.
   */
  async addRillDescriptorVersion(
    m: EntityManager,
    d: { businessId: string; featureName: string; alias: string; yaml: string; dag: object },
    now: number,
  ): Promise<number> {
    await this.lockRillFeature(m, d.businessId, d.featureName);
    await this.listRillFeature(m, d.businessId, d.featureName, now);
    const [{ next }]: Array<{ next: number }> = await m.query(
      'SELECT coalesce(max(version), 0) + 1 AS next FROM rill_descriptor WHERE business_id = $1 AND feature_name = $2',
      [d.businessId, d.featureName],
    );
    await m.query(
      `INSERT INTO rill_descriptor (business_id, feature_name, version, yaml, dag, create_time) VALUES ($1, $2, $3, $4, $5, to_timestamp($6 / 1000.0))`,
      [d.businessId, d.featureName, next, d.yaml, d.dag, now],
    );
    await m.query(
      `INSERT INTO rill_descriptor_alias (business_id, feature_name, alias, version, update_time) VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0))
       ON CONFLICT (business_id, feature_name, alias) DO UPDATE SET version = EXCLUDED.version, update_time = EXCLUDED.update_time`,
      [d.businessId, d.featureName, d.alias, next, now],
    );
    return next;
  }

  // Rill Flow's listings and gray rules. Each write answers whether it changed anything.

  /** Serialises the writes to one DAG's versions and aliases (a version added, an alias pointed at one). */
  async lockRillFeature(m: EntityManager, businessId: string, featureName: string): Promise<void> {
    await m.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`rill:${businessId}:${featureName}`]);
  }

  async listRillBusiness(m: EntityManager, businessId: string, now: number): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO rill_business (business_id, create_time) VALUES ($1, to_timestamp($2 / 1000.0)) ON CONFLICT DO NOTHING RETURNING 1`,
      [businessId, now],
    );
    return rows.length > 0;
  }

  async unlistRillBusiness(m: EntityManager, businessId: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await m.query('DELETE FROM rill_business WHERE business_id = $1', [businessId]);
    return affected > 0;
  }

  /** Lists a feature, and its business when that is not listed. */
  async listRillFeature(m: EntityManager, businessId: string, featureName: string, now: number): Promise<boolean> {
    await this.listRillBusiness(m, businessId, now);
    const rows: unknown[] = await m.query(
      `INSERT INTO rill_feature (business_id, feature_name, create_time) VALUES ($1, $2, to_timestamp($3 / 1000.0)) ON CONFLICT DO NOTHING RETURNING 1`,
      [businessId, featureName, now],
    );
    return rows.length > 0;
  }

  async unlistRillFeature(m: EntityManager, businessId: string, featureName: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await m.query('DELETE FROM rill_feature WHERE business_id = $1 AND feature_name = $2', [businessId, featureName]);
    return affected > 0;
  }

  async rillVersionExists(m: EntityManager, businessId: string, featureName: string, version: number): Promise<boolean> {
    const rows: unknown[] = await m.query('SELECT 1 FROM rill_descriptor WHERE business_id = $1 AND feature_name = $2 AND version = $3', [businessId, featureName, version]);
    return rows.length > 0;
  }

  /** Registers an alias; one that exists keeps the version it points at. */
  async registerRillAlias(m: EntityManager, businessId: string, featureName: string, alias: string, now: number): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO rill_descriptor_alias (business_id, feature_name, alias, version, update_time) VALUES ($1, $2, $3, NULL, to_timestamp($4 / 1000.0))
       ON CONFLICT DO NOTHING RETURNING 1`,
      [businessId, featureName, alias, now],
    );
    return rows.length > 0;
  }

  /** Points an alias (registered or not) at a version. */
  async pointRillAlias(m: EntityManager, businessId: string, featureName: string, alias: string, version: number, now: number): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO rill_descriptor_alias (business_id, feature_name, alias, version, update_time) VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0))
       ON CONFLICT (business_id, feature_name, alias) DO UPDATE SET version = EXCLUDED.version, update_time = EXCLUDED.update_time
       WHERE rill_descriptor_alias.version IS DISTINCT FROM EXCLUDED.version RETURNING 1`,
      [businessId, featureName, alias, version, now],
    );
    return rows.length > 0;
  }

  /** Removes an alias, and its gray rule with it (the foreign key cascades). */
  async removeRillAlias(m: EntityManager, businessId: string, featureName: string, alias: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await m.query(
      'DELETE FROM rill_descriptor_alias WHERE business_id = $1 AND feature_name = $2 AND alias = $3',
      [businessId, featureName, alias],
    );
    return affected > 0;
  }

  /** Sets an alias's gray rule; the alias must be registered. */
  async setRillGrayRule(m: EntityManager, businessId: string, featureName: string, alias: string, rule: string, now: number): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO rill_gray_rule (business_id, feature_name, alias, rule, update_time) VALUES ($1, $2, $3, $4, to_timestamp($5 / 1000.0))
       ON CONFLICT (business_id, feature_name, alias) DO UPDATE SET rule = EXCLUDED.rule, update_time = EXCLUDED.update_time
       WHERE rill_gray_rule.rule IS DISTINCT FROM EXCLUDED.rule RETURNING 1`,
      [businessId, featureName, alias, rule, now],
    );
    return rows.length > 0;
  }

  async removeRillGrayRule(m: EntityManager, businessId: string, featureName: string, alias: string): Promise<boolean> {
    const [, affected]: [unknown, number] = await m.query(
      'DELETE FROM rill_gray_rule WHERE business_id = $1 AND feature_name = $2 AND alias = $3',
      [businessId, featureName, alias],
    );
    return affected > 0;
  }
}
