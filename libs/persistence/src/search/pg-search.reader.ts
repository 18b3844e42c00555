import { Injectable } from '@nestjs/common';
import type { Task, Workflow } from '@app/contracts';
import { compileSql, TASK_SQL_SPEC, WORKFLOW_SQL_SPEC } from '@app/search';
import { DataSource } from 'typeorm';
import { SearchHits, SearchPage, SearchReader, TaskSearch, WorkflowSearch } from './search-reader';

/**
 * Search over the Postgres projection (`search_workflow`, `search_task`): the request compiled to one
 * parameterized statement (libs/search), the page and the total counted in the same statement.
 */
@Injectable()
export class PgSearchReader extends SearchReader {
  constructor(private readonly dataSource: DataSource) {
    super();
  }

  async workflows(search: WorkflowSearch, page: SearchPage): Promise<SearchHits<Workflow>> {
    const sql = compileSql(search, WORKFLOW_SQL_SPEC, { firstParam: 3 });
    const rows: Array<{ doc: Workflow; total: string }> = await this.dataSource.query(
      `SELECT doc, count(*) OVER () AS total FROM search_workflow WHERE ${sql.where} ORDER BY ${sql.orderBy} OFFSET $1 LIMIT $2`,
      [page.start, page.size, ...sql.params],
    );
    const total = rows.length ? Number(rows[0].total) : await this.countPast(page, () => compileSql(search, WORKFLOW_SQL_SPEC), 'count(*)', 'search_workflow');
    return { totalHits: total, results: rows.map((r) => r.doc) };
  }

  async tasks(search: TaskSearch, page: SearchPage): Promise<SearchHits<Task>> {
    const sql = compileSql(search, TASK_SQL_SPEC, { firstParam: 3 });
    const rows: Array<{ doc: Task; total: string }> = await this.dataSource.query(
      `SELECT doc, count(*) OVER () AS total FROM search_task WHERE ${sql.where} ORDER BY ${sql.orderBy} OFFSET $1 LIMIT $2`,
      [page.start, page.size, ...sql.params],
    );
    const total = rows.length ? Number(rows[0].total) : await this.countPast(page, () => compileSql(search, TASK_SQL_SPEC), 'count(*)', 'search_task');
    return { totalHits: total, results: rows.map((r) => r.doc) };
  }

  async workflowIdsByTasks(search: TaskSearch, page: SearchPage): Promise<SearchHits<string>> {
    const sql = compileSql(search, TASK_SQL_SPEC, { firstParam: 3 });
    // Each workflow once, at the place of its first matching task in the requested order.
    const rows: Array<{ workflow_id: string; total: string }> = await this.dataSource.query(
      `SELECT workflow_id, count(*) OVER () AS total FROM (
         SELECT workflow_id, min(rank) AS first FROM (
           SELECT workflow_id, row_number() OVER (ORDER BY ${sql.orderBy}) AS rank FROM search_task WHERE ${sql.where}
         ) ranked GROUP BY workflow_id
       ) firsts ORDER BY first OFFSET $1 LIMIT $2`,
      [page.start, page.size, ...sql.params],
    );
    const total = rows.length ? Number(rows[0].total) : await this.countPast(page, () => compileSql(search, TASK_SQL_SPEC), 'count(DISTINCT workflow_id)', 'search_task');
    return { totalHits: total, results: rows.map((r) => r.workflow_id) };
  }

  /**
   * The total for a page with no rows to carry the window count: none when it is the first page, else a
   * count of its own (the page lies past the last hit).
   */
  private async countPast(page: SearchPage, compile: () => { where: string; params: readonly unknown[] }, aggregate: string, table: string): Promise<number> {
    if (page.start === 0) return 0;
    const sql = compile();
    const rows: Array<{ n: string }> = await this.dataSource.query(`SELECT ${aggregate} AS n FROM ${table} WHERE ${sql.where}`, [...sql.params]);
    return Number(rows[0]?.n ?? 0);
  }
}
