import { ConfigError } from './env';
import { loadHttpConfig, loadInfraConfig } from './infra.config';

describe('infrastructure config', () => {
  it('passes extra settings to the embedded PostgreSQL, and refuses a malformed list', () => {
    const c = loadInfraConfig({ BATON_PG_SETTINGS: ' shared_preload_libraries=pg_stat_statements  track_io_timing=on ' }, 'baton', { requireExternal: false });
    expect(c.database).toMatchObject({ kind: 'embedded', settings: ['shared_preload_libraries=pg_stat_statements', 'track_io_timing=on'] });
    expect(() => loadInfraConfig({ BATON_PG_SETTINGS: 'no-equals sign' }, 'baton', { requireExternal: false })).toThrow(/BATON_PG_SETTINGS/);
  });

  it('needs nothing set for embedded mode', () => {
    const c = loadInfraConfig({}, 'baton', { requireExternal: false });
    expect(c.database).toEqual({ kind: 'embedded', dataDir: expect.stringMatching(/\/data$/), port: 0, settings: [] });
    expect(c.bus).toEqual({ kind: 'in-process', lanes: 1024 });
    expect(loadHttpConfig({}, 'baton')).toEqual({ port: 8080, host: '0.0.0.0' });
  });

  it('switches to an external database and Kafka when they are given', () => {
    const c = loadInfraConfig(
      { DATABASE_URL: 'postgres://u:p@db:5432/baton', KAFKA_BROKERS: 'k1:9092,k2:9092', KAFKA_PARTITIONS: '24', KAFKA_TOPIC_PREFIX: 'staging.' },
      'executor',
      { requireExternal: true },
    );
    expect(c.database).toEqual({ kind: 'external', url: 'postgres://u:p@db:5432/baton' });
    expect(c.bus).toMatchObject({ kind: 'kafka', brokers: ['k1:9092', 'k2:9092'], partitions: 24, topicPrefix: 'staging.' });
  });

  it('treats an empty variable as unset', () => {
    expect(loadHttpConfig({ PORT: '' }, 'baton').port).toBe(8080);
  });

  it('names every bad variable at once', () => {
    let error: unknown;
    try {
      loadInfraConfig({ DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'no-port', KAFKA_PARTITIONS: 'many', LOG_LEVEL: 'loud' }, 'gateway', { requireExternal: false });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as ConfigError).message;
    for (const name of ['DATABASE_URL', 'KAFKA_BROKERS', 'KAFKA_PARTITIONS', 'LOG_LEVEL']) expect(message).toContain(name);
    expect((error as ConfigError).problems).toHaveLength(4);
  });

  it('requires DATABASE_URL and KAFKA_BROKERS for a service run on its own', () => {
    expect(() => loadInfraConfig({}, 'executor', { requireExternal: true })).toThrow(/DATABASE_URL is required[\s\S]*KAFKA_BROKERS is required/);
  });

  it('rejects an out-of-range port', () => {
    expect(() => loadHttpConfig({ PORT: '70000' }, 'gateway')).toThrow(/PORT/);
  });
});
