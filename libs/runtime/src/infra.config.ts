// class-transformer's @Type reads design-time metadata through this polyfill.
import 'reflect-metadata';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, Matches, Max, Min } from 'class-validator';
import { hostname } from 'node:os';
import { resolve } from 'node:path';
import { ConfigError, parseEnv } from './env';

/**
 * Where the database and the bus come from. Chosen here, once, at boot: business code never branches on
 * the mode. Embedded: PostgreSQL started by Baton on its data directory, and the in-process bus.
 * Distributed: `DATABASE_URL` and `KAFKA_BROKERS`.
 */
export type DatabaseConfig =
  | { readonly kind: 'embedded'; readonly dataDir: string; readonly port: number; readonly settings: readonly string[] }
  | { readonly kind: 'external'; readonly url: string };

export type BusConfig =
  | { readonly kind: 'in-process'; readonly lanes: number }
  | {
      readonly kind: 'kafka';
      readonly brokers: readonly string[];
      readonly clientId: string;
      readonly topicPrefix: string;
      readonly partitions: number;
      readonly replicationFactor: number;
      readonly requestTimeoutMs: number;
    };

/**
 * Where search reads and the indexer writes: the Postgres projection (the default, and embedded mode's), or
 * OpenSearch at `OPENSEARCH_URL`, its indices named `<SEARCH_INDEX_PREFIX>workflow` and `…task`.
 */
export type SearchConfig = { readonly kind: 'postgres' } | { readonly kind: 'opensearch'; readonly url: string; readonly indexPrefix: string };

export interface InfraConfig {
  readonly instanceId: string;
  readonly database: DatabaseConfig;
  readonly bus: BusConfig;
  readonly search: SearchConfig;
  readonly logLevel: LogLevel;
}

export const LOG_LEVELS = ['error', 'warn', 'log', 'debug', 'verbose'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

class InfraEnv {
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'DATABASE_URL must be a postgres:// URL' })
  DATABASE_URL?: string;

  @IsString() BATON_DATA_DIR = './data';

  @IsOptional() @Type(() => Number) @IsInt({ message: 'BATON_PG_PORT must be an integer' }) @Min(0) @Max(65535)
  BATON_PG_PORT?: number;

  /** Extra server settings for the embedded PostgreSQL, `name=value` separated by spaces (profiling: `shared_preload_libraries=pg_stat_statements`). */
  @IsOptional()
  @Matches(/^\s*([a-z_.]+=[^\s]+\s*)*$/, { message: 'BATON_PG_SETTINGS must be name=value pairs separated by spaces' })
  BATON_PG_SETTINGS?: string;

  @IsOptional()
  @Matches(/^[^,\s]+:\d+(,[^,\s]+:\d+)*$/, { message: 'KAFKA_BROKERS must be a comma-separated list of host:port' })
  KAFKA_BROKERS?: string;

  @IsString() KAFKA_CLIENT_ID = 'baton';

  @Matches(/^[a-zA-Z0-9._-]*$/, { message: 'KAFKA_TOPIC_PREFIX may only contain letters, digits, ".", "_" and "-"' })
  KAFKA_TOPIC_PREFIX = '';

  @Type(() => Number) @IsInt({ message: 'KAFKA_PARTITIONS must be an integer' }) @Min(1) @Max(16384)
  KAFKA_PARTITIONS = 12;

  @Type(() => Number) @IsInt({ message: 'KAFKA_REPLICATION_FACTOR must be an integer' }) @Min(1) @Max(7)
  KAFKA_REPLICATION_FACTOR = 1;

  @Type(() => Number) @IsInt({ message: 'BATON_COMMAND_TIMEOUT_MS must be an integer' }) @Min(100)
  BATON_COMMAND_TIMEOUT_MS = 15000;

  @Type(() => Number) @IsInt({ message: 'BATON_BUS_LANES must be an integer' }) @Min(1) @Max(16384)
  BATON_BUS_LANES = 1024;

  @IsIn(LOG_LEVELS, { message: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` })
  LOG_LEVEL: LogLevel = 'log';

  @IsOptional() @IsString() BATON_INSTANCE_ID?: string;

  @IsOptional()
  @Matches(/^https?:\/\/[^\s]+$/, { message: 'OPENSEARCH_URL must be an http(s):// URL' })
  OPENSEARCH_URL?: string;

  @Matches(/^[a-z0-9_-]*$/, { message: 'SEARCH_INDEX_PREFIX may only contain lower-case letters, digits, "_" and "-"' })
  SEARCH_INDEX_PREFIX = 'baton_';
}

export interface InfraOptions {
  /** A per-service process in a distributed deployment: an external database and Kafka are required. */
  readonly requireExternal: boolean;
}

export function loadInfraConfig(env: NodeJS.ProcessEnv, app: string, options: InfraOptions): InfraConfig {
  const e = parseEnv(InfraEnv, env, app);
  if (options.requireExternal) {
    const missing = [
      !e.DATABASE_URL && 'DATABASE_URL is required when a service runs on its own (e.g. postgres://user:pass@host:5432/baton)',
      !e.KAFKA_BROKERS && 'KAFKA_BROKERS is required when a service runs on its own (e.g. kafka:9092)',
    ].filter((p): p is string => !!p);
    if (missing.length) throw new ConfigError(app, missing);
  }
  return {
    instanceId: e.BATON_INSTANCE_ID ?? `${app}-${hostname()}-${process.pid}`,
    database: e.DATABASE_URL
      ? { kind: 'external', url: e.DATABASE_URL }
      : { kind: 'embedded', dataDir: resolve(e.BATON_DATA_DIR), port: e.BATON_PG_PORT ?? 0, settings: (e.BATON_PG_SETTINGS ?? '').split(/\s+/).filter(Boolean) },
    bus: e.KAFKA_BROKERS
      ? {
          kind: 'kafka',
          brokers: e.KAFKA_BROKERS.split(','),
          clientId: e.KAFKA_CLIENT_ID,
          topicPrefix: e.KAFKA_TOPIC_PREFIX,
          partitions: e.KAFKA_PARTITIONS,
          replicationFactor: e.KAFKA_REPLICATION_FACTOR,
          requestTimeoutMs: e.BATON_COMMAND_TIMEOUT_MS,
        }
      : { kind: 'in-process', lanes: e.BATON_BUS_LANES },
    search: e.OPENSEARCH_URL ? { kind: 'opensearch', url: e.OPENSEARCH_URL.replace(/\/+$/, ''), indexPrefix: e.SEARCH_INDEX_PREFIX } : { kind: 'postgres' },
    logLevel: e.LOG_LEVEL,
  };
}

export const logLevelsFrom = (level: LogLevel): LogLevel[] => LOG_LEVELS.slice(0, LOG_LEVELS.indexOf(level) + 1);

class HttpEnv {
  @Type(() => Number) @IsInt({ message: 'PORT must be an integer' }) @Min(0) @Max(65535)
  PORT = 8080;

  @IsString() HOST = '0.0.0.0';
}

export interface HttpConfig {
  readonly port: number;
  readonly host: string;
}

export function loadHttpConfig(env: NodeJS.ProcessEnv, app: string): HttpConfig {
  const e = parseEnv(HttpEnv, env, app);
  return { port: e.PORT, host: e.HOST };
}
