import { Injectable } from '@nestjs/common';
import type { EventHandler, ResolvedTaskDef, WorkflowDef, WorkflowDefSummary } from '@app/contracts';
import { DataSource, EntityManager } from 'typeorm';
import { TaskDefEntity, WorkflowDefEntity } from '../entities/definition.entity';
import { EventHandlerEntity } from '../entities/metadata-extra.entity';

/** A stored version of a Rill Flow DAG. */
export interface StoredRillDescriptor {
  readonly version: number;
  readonly yaml: string;
  readonly dag: Record<string, unknown>;
  readonly createTime: number;
}

/** A version of a Rill Flow DAG and the aliases that point at it. */
export interface RillDescriptorVersion {
  readonly version: number;
  readonly createTime: number;
  readonly aliases: string[];
}

/** An alias of a Rill Flow DAG and the version it points at (none: registered before any DAG was). */
export interface RillAlias {
  readonly alias: string;
  readonly version: number | null;
}

/** The gray rule of an alias. */
export interface RillGrayRule {
  readonly alias: string;
  readonly rule: string;
}

/** One row of the back-office DAG list: an alias that points at a version, of a listed feature and business. */
export interface RillDescriptorRecord {
  readonly businessId: string;
  readonly featureName: string;
  readonly alias: string;
  readonly version: number;
  /** When the feature's first version was registered. */
  readonly createTime: number;
  /** When the alias was last pointed. */
  readonly updateTime: number;
}

/**
 * The read side of the definitions, published by their owner, the metadata app, for the other apps: the
 * gateway's metadata and Rill Flow GETs, the executor's DefinitionReader. Read-only: metadata is the one
 * writer of these tables. The reads the executor makes while deciding take its transaction's manager.
 */
@Injectable()
export class DefinitionQueries {
  constructor(private readonly dataSource: DataSource) {}

  /** A given version, or the newest one when `version` is absent (or 0). */
  async workflowDef(name: string, version?: number, m: EntityManager = this.dataSource.manager): Promise<WorkflowDef | null> {
    const repo = m.getRepository(WorkflowDefEntity);
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

  async workflowDefSummaries(name?: string): Promise<WorkflowDefSummary[]> {
    const rows: Array<{ name: string; version: number; create_time: Date; update_time: Date }> = await this.dataSource.query(
      `SELECT name, version, create_time, update_time FROM workflow_def WHERE ($1::text IS NULL OR name = $1) ORDER BY name, version`,
      [name ?? null],
    );
    return rows.map((r) => ({ name: r.name, version: r.version, createTime: r.create_time.getTime(), updateTime: r.update_time.getTime() }));
  }

  async taskDef(name: string, m: EntityManager = this.dataSource.manager): Promise<ResolvedTaskDef | null> {
    const row = await m.getRepository(TaskDefEntity).findOne({ where: { name } });
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

  /** The Rill Flow DAG version an alias points at, or a given version. */
  async rillDescriptor(
    businessId: string,
    featureName: string,
    ref: { alias: string } | { version: number },
  ): Promise<StoredRillDescriptor | null> {
    const rows: Array<{ version: number; yaml: string; dag: Record<string, unknown>; create_time: Date }> =
      'alias' in ref
        ? await this.dataSource.query(
            `SELECT d.version, d.yaml, d.dag, d.create_time FROM rill_descriptor_alias a
             JOIN rill_descriptor d USING (business_id, feature_name, version)
             WHERE a.business_id = $1 AND a.feature_name = $2 AND a.alias = $3`,
            [businessId, featureName, ref.alias],
          )
        : await this.dataSource.query(
            'SELECT version, yaml, dag, create_time FROM rill_descriptor WHERE business_id = $1 AND feature_name = $2 AND version = $3',
            [businessId, featureName, ref.version],
          );
    const r = rows[0];
    return r ? { version: r.version, yaml: r.yaml, dag: r.dag, createTime: r.create_time.getTime() } : null;
  }

  /** Every version of a Rill Flow DAG, oldest first, with its aliases. */
  async rillDescriptorVersions(businessId: string, featureName: string): Promise<RillDescriptorVersion[]> {
    const rows: Array<{ version: number; create_time: Date; aliases: string[] }> = await this.dataSource.query(
      `SELECT d.version, d.create_time, coalesce(array_agg(a.alias ORDER BY a.alias) FILTER (WHERE a.alias IS NOT NULL), '{}') AS aliases
       FROM rill_descriptor d LEFT JOIN rill_descriptor_alias a USING (business_id, feature_name, version)
       WHERE d.business_id = $1 AND d.feature_name = $2 GROUP BY d.version, d.create_time ORDER BY d.version`,
      [businessId, featureName],
    );
    return rows.map((r) => ({ version: r.version, createTime: r.create_time.getTime(), aliases: r.aliases }));
  }

  // Rill Flow's listings come back in code-point order (COLLATE "C"): the same whatever the database's locale.

  /** The business ids in Rill Flow's listing. */
  async rillBusinessIds(): Promise<string[]> {
    const rows: Array<{ business_id: string }> = await this.dataSource.query('SELECT business_id FROM rill_business ORDER BY business_id COLLATE "C"');
    return rows.map((r) => r.business_id);
  }

  /** The features in a business's listing. */
  async rillFeatureNames(businessId: string): Promise<string[]> {
    const rows: Array<{ feature_name: string }> = await this.dataSource.query(
      'SELECT feature_name FROM rill_feature WHERE business_id = $1 ORDER BY feature_name COLLATE "C"',
      [businessId],
    );
    return rows.map((r) => r.feature_name);
  }

  /** The aliases of a Rill Flow DAG, each with the version it points at. */
  async rillAliases(businessId: string, featureName: string): Promise<RillAlias[]> {
    const rows: Array<{ alias: string; version: number | null }> = await this.dataSource.query(
      'SELECT alias, version FROM rill_descriptor_alias WHERE business_id = $1 AND feature_name = $2 ORDER BY alias COLLATE "C"',
      [businessId, featureName],
    );
    return rows.map((r) => ({ alias: r.alias, version: r.version }));
  }

  /** The gray rules of a Rill Flow DAG, by alias in code-point order: the order Rill Flow tries them in. */
  async rillGrayRules(businessId: string, featureName: string): Promise<RillGrayRule[]> {
    const rows: Array<{ alias: string; rule: string }> = await this.dataSource.query(
      'SELECT alias, rule FROM rill_gray_rule WHERE business_id = $1 AND feature_name = $2 ORDER BY alias COLLATE "C"',
      [businessId, featureName],
    );
    return rows.map((r) => ({ alias: r.alias, rule: r.rule }));
  }

  /**
   * A page of the back-office DAG list: every alias that points at a version, of a feature and business
   * still in their listings, the alias most recently pointed first; and how many there are in all.
   */
  async rillDescriptorRecords(offset: number, limit: number): Promise<{ total: number; records: RillDescriptorRecord[] }> {
    const rows: Array<{ business_id: string; feature_name: string; alias: string; version: number; first_time: Date; update_time: Date; total: string }> =
      await this.dataSource.query(
        `SELECT a.business_id, a.feature_name, a.alias, a.version, a.update_time, count(*) OVER () AS total,
                (SELECT min(d.create_time) FROM rill_descriptor d WHERE d.business_id = a.business_id AND d.feature_name = a.feature_name) AS first_time
         FROM rill_descriptor_alias a
         JOIN rill_feature f ON f.business_id = a.business_id AND f.feature_name = a.feature_name
         JOIN rill_business b ON b.business_id = a.business_id
         WHERE a.version IS NOT NULL
         ORDER BY a.update_time DESC, a.business_id COLLATE "C", a.feature_name COLLATE "C", a.alias COLLATE "C"
         OFFSET $1 LIMIT $2`,
        [offset, limit],
      );
    const total = rows.length ? Number(rows[0].total) : offset > 0 ? await this.rillDescriptorRecordCount() : 0;
    return {
      total,
      records: rows.map((r) => ({
        businessId: r.business_id,
        featureName: r.feature_name,
        alias: r.alias,
        version: r.version,
        createTime: r.first_time.getTime(),
        updateTime: r.update_time.getTime(),
      })),
    };
  }

  /** How many rows the back-office DAG list has (a page past its end still says how many there are). */
  private async rillDescriptorRecordCount(): Promise<number> {
    const [row]: Array<{ n: number }> = await this.dataSource.query(
      `SELECT count(*)::int AS n FROM rill_descriptor_alias a
       JOIN rill_feature f ON f.business_id = a.business_id AND f.feature_name = a.feature_name
       JOIN rill_business b ON b.business_id = a.business_id
       WHERE a.version IS NOT NULL`,
    );
    return row.n;
  }
}
