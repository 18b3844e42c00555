import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The queue-like tables churn: every task inserts and deletes a queue row and several outbox rows, and
 * rewrites its task and workflow rows. With PostgreSQL's defaults autovacuum waits for 20 % of a table to
 * be dead, which for a small, hot table means tens of thousands of dead rows that every statement wades
 * through. These tables are vacuumed after a fixed number of dead rows instead, without throttling.
 */
const CHURNING = ['task_queue', 'outbox', 'timer'];
const GROWING = ['workflow', 'task', 'search_workflow', 'search_task'];

export class VacuumHotTables1764800000000 implements MigrationInterface {
  name = 'VacuumHotTables1764800000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of CHURNING) {
      await q.query(
        `ALTER TABLE ${table} SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000, autovacuum_vacuum_cost_delay = 0, autovacuum_analyze_scale_factor = 0, autovacuum_analyze_threshold = 5000)`,
      );
    }
    for (const table of GROWING) {
      await q.query(`ALTER TABLE ${table} SET (autovacuum_vacuum_scale_factor = 0.05, autovacuum_vacuum_cost_delay = 0)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [...CHURNING, ...GROWING]) {
      await q.query(
        `ALTER TABLE ${table} RESET (autovacuum_vacuum_scale_factor, autovacuum_vacuum_threshold, autovacuum_vacuum_cost_delay, autovacuum_analyze_scale_factor, autovacuum_analyze_threshold)`,
      );
    }
  }
}
