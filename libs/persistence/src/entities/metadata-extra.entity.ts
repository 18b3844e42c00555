import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { EventHandler } from '@app/contracts';

/** Conductor event handlers. Written by the metadata app only. */
@Entity({ name: 'event_handler' })
export class EventHandlerEntity {
  @PrimaryColumn({ type: 'varchar', length: 255 })
  name!: string;

  @Column({ type: 'varchar', length: 1024 })
  event!: string;

  @Column({ type: 'boolean' })
  active!: boolean;

  @Column({ type: 'jsonb' })
  definition!: EventHandler;

  @Column({ name: 'create_time', type: 'timestamptz' })
  createTime!: Date;

  @Column({ name: 'update_time', type: 'timestamptz' })
  updateTime!: Date;
}

/** One registered version of a Rill Flow DAG: the YAML as given and its translation. */
@Entity({ name: 'rill_descriptor' })
export class RillDescriptorEntity {
  @PrimaryColumn({ name: 'business_id', type: 'varchar', length: 255 })
  businessId!: string;

  @PrimaryColumn({ name: 'feature_name', type: 'varchar', length: 255 })
  featureName!: string;

  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ type: 'text' })
  yaml!: string;

  @Column({ type: 'jsonb' })
  dag!: Record<string, unknown>;

  @Column({ name: 'create_time', type: 'timestamptz' })
  createTime!: Date;
}

/** A named pointer (`release`, `gray`, …) to one version of a Rill Flow DAG. */
@Entity({ name: 'rill_descriptor_alias' })
export class RillDescriptorAliasEntity {
  @PrimaryColumn({ name: 'business_id', type: 'varchar', length: 255 })
  businessId!: string;

  @PrimaryColumn({ name: 'feature_name', type: 'varchar', length: 255 })
  featureName!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  alias!: string;

  /** Null: an alias registered (`modify_alias.json`, `modify_gray.json`) before any DAG version was given it. */
  @Column({ type: 'integer', nullable: true })
  version!: number | null;

  @Column({ name: 'update_time', type: 'timestamptz' })
  updateTime!: Date;
}

/** A business id in Rill Flow's listing (`get_business.json`). */
@Entity({ name: 'rill_business' })
export class RillBusinessEntity {
  @PrimaryColumn({ name: 'business_id', type: 'varchar', length: 255 })
  businessId!: string;

  @Column({ name: 'create_time', type: 'timestamptz' })
  createTime!: Date;
}

/** A feature in its business's listing (`get_feature.json`). */
@Entity({ name: 'rill_feature' })
export class RillFeatureEntity {
  @PrimaryColumn({ name: 'business_id', type: 'varchar', length: 255 })
  businessId!: string;

  @PrimaryColumn({ name: 'feature_name', type: 'varchar', length: 255 })
  featureName!: string;

  @Column({ name: 'create_time', type: 'timestamptz' })
  createTime!: Date;
}

/** The gray (canary) rule that picks an alias for a submit naming none (`modify_gray.json`). */
@Entity({ name: 'rill_gray_rule' })
export class RillGrayRuleEntity {
  @PrimaryColumn({ name: 'business_id', type: 'varchar', length: 255 })
  businessId!: string;

  @PrimaryColumn({ name: 'feature_name', type: 'varchar', length: 255 })
  featureName!: string;

  @PrimaryColumn({ type: 'varchar', length: 255 })
  alias!: string;

  @Column({ type: 'varchar', length: 1024 })
  rule!: string;

  @Column({ name: 'update_time', type: 'timestamptz' })
  updateTime!: Date;
}
