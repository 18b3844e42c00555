import { MigrationInterface, QueryRunner } from 'typeorm';

// Frozen copies of the status vocabularies as of this migration: a migration must never change meaning
// when the contracts evolve, so later statuses arrive with a migration of their own.
const WORKFLOW_STATUSES = `'RUNNING', 'COMPLETED', 'FAILED', 'TIMED_OUT', 'TERMINATED', 'PAUSED'`;
const TASK_STATUSES = `'SCHEDULED', 'IN_PROGRESS', 'COMPLETED', 'COMPLETED_WITH_ERRORS', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR', 'TIMED_OUT', 'CANCELED', 'SKIPPED'`;

/** The walking skeleton's schema: definitions, executions, the worker queue, the outbox, search. */
export class InitialSchema1763900000000 implements MigrationInterface {
  name = 'InitialSchema1763900000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE task_def (
        name        varchar(255) PRIMARY KEY,
        definition  jsonb        NOT NULL,
        create_time timestamptz  NOT NULL,
        update_time timestamptz  NOT NULL
      )`);
    await q.query(`
      CREATE TABLE workflow_def (
        name        varchar(255) NOT NULL,
        version     integer      NOT NULL CHECK (version >= 1),
        definition  jsonb        NOT NULL,
        create_time timestamptz  NOT NULL,
        update_time timestamptz  NOT NULL,
        PRIMARY KEY (name, version)
      )`);
    await q.query(`
      CREATE TABLE workflow (
        workflow_id      uuid         PRIMARY KEY,
        workflow_name    varchar(255) NOT NULL,
        workflow_version integer      NOT NULL,
        status           varchar(32)  NOT NULL CHECK (status IN (${WORKFLOW_STATUSES})),
        correlation_id   varchar(255),
        priority         integer      NOT NULL,
        version          integer      NOT NULL,
        data             jsonb        NOT NULL,
        create_time      timestamptz  NOT NULL,
        update_time      timestamptz  NOT NULL,
        end_time         timestamptz
      )`);
    await q.query(`
      CREATE TABLE task (
        task_id             uuid         PRIMARY KEY,
        workflow_id         uuid         NOT NULL REFERENCES workflow (workflow_id) ON DELETE CASCADE,
        seq                 integer      NOT NULL,
        reference_task_name varchar(255) NOT NULL,
        task_type           varchar(255) NOT NULL,
        status              varchar(32)  NOT NULL CHECK (status IN (${TASK_STATUSES})),
        version             integer      NOT NULL,
        data                jsonb        NOT NULL,
        update_time         timestamptz  NOT NULL,
        CONSTRAINT uq_task_workflow_seq UNIQUE (workflow_id, seq)
      )`);
    await q.query(`
      CREATE TABLE task_queue (
        task_id      uuid         PRIMARY KEY,
        queue_name   varchar(512) NOT NULL,
        workflow_id  uuid         NOT NULL,
        priority     integer      NOT NULL,
        visible_at   timestamptz  NOT NULL,
        leased_until timestamptz,
        created_at   timestamptz  NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_task_queue_ready ON task_queue (queue_name, priority DESC, visible_at)`);
    await q.query(`
      CREATE TABLE outbox (
        id          bigserial    PRIMARY KEY,
        producer    varchar(64)  NOT NULL,
        topic       varchar(255) NOT NULL,
        message_key varchar(255) NOT NULL,
        payload     jsonb        NOT NULL,
        created_at  timestamptz  NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_outbox_producer_id ON outbox (producer, id)`);
    await q.query(`
      CREATE TABLE search_workflow (
        workflow_id    uuid         PRIMARY KEY,
        version        integer      NOT NULL,
        workflow_type  varchar(255) NOT NULL,
        status         varchar(32)  NOT NULL,
        correlation_id varchar(255),
        start_time     timestamptz  NOT NULL,
        update_time    timestamptz  NOT NULL,
        doc            jsonb        NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_search_workflow_type_start ON search_workflow (workflow_type, start_time)`);
    await q.query(`
      CREATE TABLE search_task (
        task_id     uuid         PRIMARY KEY,
        version     integer      NOT NULL,
        workflow_id uuid         NOT NULL,
        task_type   varchar(255) NOT NULL,
        status      varchar(32)  NOT NULL,
        update_time timestamptz  NOT NULL,
        doc         jsonb        NOT NULL
      )`);
    await q.query(`CREATE INDEX idx_search_task_workflow ON search_task (workflow_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['search_task', 'search_workflow', 'outbox', 'task_queue', 'task', 'workflow', 'workflow_def', 'task_def']) {
      await q.query(`DROP TABLE IF EXISTS ${table}`);
    }
  }
}
