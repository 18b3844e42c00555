import type { TaskMock, ValidationErrorItem, WorkflowTestMocks } from '@app/contracts';

const MOCK_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'FAILED_WITH_TERMINAL_ERROR']);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The mocks of a WorkflowTestRequest (`taskRefToMockOutput`: per task reference, a list of TaskMock, one per
 * attempt; `subWorkflowTestRequest`: per SUB_WORKFLOW reference, the same for its child), validated: every
 * problem is reported with its path.
 */
export function testMocksOf(body: Record<string, unknown>, path = ''): { mocks: WorkflowTestMocks; errors: ValidationErrorItem[] } {
  const errors: ValidationErrorItem[] = [];
  const at = (field: string) => (path ? `${path}.${field}` : field);
  const taskRefToMockOutput: Record<string, TaskMock[]> = {};
  const raw = body.taskRefToMockOutput ?? {};
  if (!isObject(raw)) errors.push({ path: at('taskRefToMockOutput'), message: 'must map task reference names to lists of mocks', invalidValue: raw });
  else {
    for (const [ref, list] of Object.entries(raw)) {
      if (!Array.isArray(list)) {
        errors.push({ path: at(`taskRefToMockOutput.${ref}`), message: 'must be a list of mocks, one per attempt', invalidValue: list });
        continue;
      }
      taskRefToMockOutput[ref] = [];
      list.forEach((m: unknown, i) => {
        const where = at(`taskRefToMockOutput.${ref}[${i}]`);
        if (!isObject(m) || typeof m.status !== 'string' || !MOCK_STATUSES.has(m.status)) {
          errors.push({ path: `${where}.status`, message: `must be one of ${[...MOCK_STATUSES].join(', ')}`, invalidValue: isObject(m) ? m.status : m });
          return;
        }
        if (m.output !== undefined && !isObject(m.output)) errors.push({ path: `${where}.output`, message: 'must be a JSON object', invalidValue: m.output });
        for (const field of ['executionTime', 'queueWaitTime'] as const) {
          const v = m[field];
          if (v !== undefined && !(Number.isInteger(v) && (v as number) >= 0)) errors.push({ path: `${where}.${field}`, message: 'must be a whole number of milliseconds, 0 or more', invalidValue: v });
        }
        taskRefToMockOutput[ref].push({
          status: m.status as TaskMock['status'],
          ...(isObject(m.output) ? { output: m.output } : {}),
          ...(Number.isInteger(m.executionTime) ? { executionTime: m.executionTime as number } : {}),
          ...(Number.isInteger(m.queueWaitTime) ? { queueWaitTime: m.queueWaitTime as number } : {}),
        });
      });
    }
  }
  const subRaw = body.subWorkflowTestRequest;
  const subWorkflowTestRequest: Record<string, WorkflowTestMocks> = {};
  if (subRaw !== undefined && !isObject(subRaw)) errors.push({ path: at('subWorkflowTestRequest'), message: 'must map SUB_WORKFLOW reference names to test requests', invalidValue: subRaw });
  else if (subRaw) {
    for (const [ref, sub] of Object.entries(subRaw)) {
      if (!isObject(sub)) {
        errors.push({ path: at(`subWorkflowTestRequest.${ref}`), message: 'must be a WorkflowTestRequest', invalidValue: sub });
        continue;
      }
      const nested = testMocksOf(sub, at(`subWorkflowTestRequest.${ref}`));
      errors.push(...nested.errors);
      subWorkflowTestRequest[ref] = nested.mocks;
    }
  }
  return { mocks: { taskRefToMockOutput, ...(Object.keys(subWorkflowTestRequest).length ? { subWorkflowTestRequest } : {}) }, errors };
}
