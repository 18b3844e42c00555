import { DynamicModule, Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { assertMigrated, dataSourceOptions, runMigrations } from './data-source';
import { PgNotificationHub } from './pg-notification.hub';

export interface PersistenceOptions {
  readonly url: string;
  /** `run`: apply pending migrations at boot (embedded mode); `verify`: refuse to boot if any are pending. */
  readonly migrations: 'run' | 'verify';
  readonly poolSize?: number;
  readonly applicationName?: string;
}

/** The database for a process: a TypeORM DataSource (migrated or verified) and the LISTEN hub. */
@Global()
@Module({})
export class PersistenceModule implements OnApplicationShutdown {
  constructor(@Inject(PgNotificationHub) private readonly hub: PgNotificationHub) {}

  static forRoot(options: PersistenceOptions): DynamicModule {
    const logger = new Logger('Persistence');
    return {
      module: PersistenceModule,
      imports: [
        TypeOrmModule.forRootAsync({
          useFactory: () => ({
            ...dataSourceOptions(options),
            retryAttempts: 5,
            retryDelay: 1000,
          }),
          dataSourceFactory: async (opts) => {
            const ds = await new DataSource(opts!).initialize();
            if (options.migrations === 'run') {
              const applied = await runMigrations(ds);
              if (applied.length) logger.log(`applied migrations: ${applied.join(', ')}`);
            } else {
              await assertMigrated(ds);
            }
            return ds;
          },
        }),
      ],
      providers: [
        { provide: PgNotificationHub, useFactory: () => new PgNotificationHub(options.url) },
      ],
      exports: [PgNotificationHub],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.hub.close();
  }
}
