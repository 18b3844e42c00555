/** Conductor's `BulkResponse`: what succeeded and, per item, why the rest failed. */
export interface BulkResponse<T = string> {
  bulkErrorResults: Record<string, string>;
  bulkSuccessfulResults: T[];
  message: string;
}

export const bulkResponse = <T>(successes: T[], errors: Record<string, string>): BulkResponse<T> => ({
  bulkErrorResults: errors,
  bulkSuccessfulResults: successes,
  message: 'Bulk Request has been processed.',
});

/** Conductor's `WorkflowDefSummary` (names-and-versions, versions). */
export interface WorkflowDefSummary {
  name: string;
  version: number;
  createTime?: number;
  updateTime?: number;
}
