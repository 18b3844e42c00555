import { DataSource, DataSourceOptions } from 'typeorm';
import { TaskDefEntity, WorkflowDefEntity } from './entities/definition.entity';
import { OutboxEntity, TaskEntity, TaskLimitStateEntity, TaskQueueEntity, TimerEntity, WorkflowEntity } from './entities/execution.entity';
import { SearchTaskEntity, SearchWorkflowEntity } from './entities/search.entity';
import { InitialSchema1763900000000 } from './migrations/1763900000000-initial-schema';
import { EventHandlersAndRillDescriptors1763900100000 } from './migrations/1763900100000-event-handlers-and-rill-descriptors';
import { TimersAndLeases1764600000000 } from './migrations/1764600000000-timers-and-leases';
import { WorkflowDefinitionColumn1764700000000 } from './migrations/1764700000000-workflow-definition-column';
import { VacuumHotTables1764800000000 } from './migrations/1764800000000-vacuum-hot-tables';
import { TaskLimits1764900000000 } from './migrations/1764900000000-task-limits';
import { IdempotencyKeys1765000000000 } from './migrations/1765000000000-idempotency-keys';
import { WorkflowLookups1765100000000 } from './migrations/1765100000000-workflow-lookups';
import { TaskLogs1765200000000 } from './migrations/1765200000000-task-logs';
import { PollData1765300000000 } from './migrations/1765300000000-poll-data';
import { KafkaDelivery1765400000000 } from './migrations/1765400000000-kafka-delivery';
import { RillRegistryAndGray1765500000000 } from './migrations/1765500000000-rill-registry-and-gray';
import { EventHandlerEntity, RillBusinessEntity, RillDescriptorAliasEntity, RillDescriptorEntity, RillFeatureEntity, RillGrayRuleEntity } from './entities/metadata-extra.entity';

export const ENTITIES = [
  TaskDefEntity,
  WorkflowDefEntity,
  WorkflowEntity,
  TimerEntity,
  TaskEntity,
  TaskQueueEntity,
  TaskLimitStateEntity,
  OutboxEntity,
  SearchWorkflowEntity,
  SearchTaskEntity,
  EventHandlerEntity,
  RillDescriptorEntity,
  RillDescriptorAliasEntity,
  RillBusinessEntity,
  RillFeatureEntity,
  RillGrayRuleEntity,
];

/** Every migration, in order. Schema changes only happen here (never `synchronize`). */
export const MIGRATIONS = [InitialSchema1763900000000, EventHandlersAndRillDescriptors1763900100000, TimersAndLeases1764600000000, WorkflowDefinitionColumn1764700000000, VacuumHotTables1764800000000, TaskLimits1764900000000, IdempotencyKeys1765000000000, WorkflowLookups1765100000000, TaskLogs1765200000000, PollData1765300000000, KafkaDelivery1765400000000, RillRegistryAndGray1765500000000];

export interface DataSourceSettings {
  readonly url: string;
  /** Connections in this process's pool. */
  readonly poolSize?: number;
  readonly applicationName?: string;
}

/** The one DataSource definition, shared by the apps and the migrate command. */
export function dataSourceOptions(s: DataSourceSettings): DataSourceOptions {
  return {
    type: 'postgres',
    url: s.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error'],
    applicationName: s.applicationName ?? 'baton',
    extra: { max: s.poolSize ?? 10 },
  };
}

// Any constant works as long as every Baton process uses the same one: it serialises migrators.
const MIGRATION_LOCK_KEY = 0x6261746f6e; // "baton"

/**
 * Applies pending migrations under a Postgres advisory lock: TypeORM's migrator takes no lock, and several
 * processes may boot at once against one database. Needs two connections: one holds the lock while the
 * migrator works on another.
 */
export async function runMigrations(ds: DataSource): Promise<string[]> {
  const runner = ds.createQueryRunner();
  await runner.connect();
  try {
    await runner.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    const applied = await ds.runMigrations({ transaction: 'each' });
    return applied.map((m) => m.name);
  } finally {
    await runner.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    await runner.release();
  }
}

/** Fails the boot of a service whose database has not been migrated (`npm run migrate` is a deploy step). */
export async function assertMigrated(ds: DataSource): Promise<void> {
  if (await ds.showMigrations()) {
    throw new Error('The database has pending migrations: run `npm run migrate` (with the same DATABASE_URL) first.');
  }
}
