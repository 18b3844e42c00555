export * from './entities/definition.entity';
export * from './entities/execution.entity';
export * from './entities/search.entity';
export * from './entities/metadata-extra.entity';
export * from './data-source';
export * from './embedded-postgres.server';
export * from './pg-notification.hub';
export * from './persistence.module';
