import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Where the real infrastructure for integration and e2e tests is. Values come from the environment, else
 * from `.infra/env` written by `scripts/infra/up.sh`. A missing service fails the test run loudly: a tier is
 * never skipped because its infrastructure is absent.
 */
export interface TestInfra {
  readonly databaseUrl: string;
  readonly kafkaBrokers: string;
  /** The OpenSearch node distributed search and the search integration tests run against. */
  readonly opensearchUrl: string;
}

const ROOT = join(__dirname, '..', '..');

export function testInfra(): TestInfra {
  const file = join(ROOT, '.infra', 'env');
  const fromFile: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const m = /^([A-Z_]+)=(.*)$/.exec(line.trim());
      if (m) fromFile[m[1]] = m[2];
    }
  }
  const databaseUrl = process.env.TEST_DATABASE_URL ?? fromFile.DATABASE_URL;
  const kafkaBrokers = process.env.TEST_KAFKA_BROKERS ?? fromFile.KAFKA_BROKERS;
  const opensearchUrl = process.env.TEST_OPENSEARCH_URL ?? fromFile.OPENSEARCH_URL;
  const missing = [!databaseUrl && 'DATABASE_URL', !kafkaBrokers && 'KAFKA_BROKERS', !opensearchUrl && 'OPENSEARCH_URL'].filter(Boolean);
  if (missing.length) {
    throw new Error(
      `Integration and e2e tests need real Postgres, Kafka and OpenSearch, but ${missing.join(' and ')} ${missing.length > 1 ? 'are' : 'is'} unknown. ` +
        'Run `npm run infra:up` (scripts/infra/up.sh) first, or set TEST_DATABASE_URL / TEST_KAFKA_BROKERS / TEST_OPENSEARCH_URL.',
    );
  }
  return { databaseUrl: databaseUrl!, kafkaBrokers: kafkaBrokers!, opensearchUrl: opensearchUrl! };
}

export const repoRoot = ROOT;
