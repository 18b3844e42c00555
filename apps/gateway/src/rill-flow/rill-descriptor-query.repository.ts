import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';

export interface StoredDescriptor {
  readonly version: number;
  readonly yaml: string;
  readonly dag: Record<string, unknown>;
  readonly createTime: number;
}

/** Read side of Rill Flow descriptors (the metadata app owns the writes). */
@Injectable()
export class RillDescriptorQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** The version an alias points at, or a given version. */
  async find(businessId: string, featureName: string, ref: { alias: string } | { version: number }): Promise<StoredDescriptor | null> {
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

  async versions(businessId: string, featureName: string): Promise<Array<{ version: number; createTime: number; aliases: string[] }>> {
    const rows: Array<{ version: number; create_time: Date; aliases: string[] }> = await this.dataSource.query(
      `SELECT d.version, d.create_time, coalesce(array_agg(a.alias ORDER BY a.alias) FILTER (WHERE a.alias IS NOT NULL), '{}') AS aliases
       FROM rill_descriptor d LEFT JOIN rill_descriptor_alias a USING (business_id, feature_name, version)
       WHERE d.business_id = $1 AND d.feature_name = $2 GROUP BY d.version, d.create_time ORDER BY d.version`,
      [businessId, featureName],
    );
    return rows.map((r) => ({ version: r.version, createTime: r.create_time.getTime(), aliases: r.aliases }));
  }
}
