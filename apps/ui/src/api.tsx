import type { Workflow, WorkflowDef } from '@app/contracts';

/** One row of `GET /api/workflow/search` (Conductor's WorkflowSummary; the fields the grid reads). */
export interface WorkflowSummary {
  workflowId: string;
  workflowType: string;
  version: number;
  status: string;
  correlationId?: string;
  startTime?: string;
  updateTime?: string;
  endTime?: string;
  executionTime?: number;
  reasonForIncompletion?: string;
  failedReferenceTaskNames?: string;
}

export interface SearchResult<T> {
  totalHits: number;
  results: T[];
}

export interface SearchParams {
  start: number;
  size: number;
  sort?: string;
  freeText?: string;
  query?: string;
}

/** One entry of Conductor's `validationErrors`: the field (`tasks[2].name`) and why. */
export interface ValidationErrorItem {
  path?: string;
  message: string;
  invalidValue?: unknown;
}

/** An error the API answered with: Conductor's body (`{status, message, validationErrors}`) when it sent one. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly validationErrors: readonly ValidationErrorItem[] = [],
  ) {
    super(message);
  }
}

/** One request to the API: JSON in and out; a non-2xx answer throws an ApiError carrying Conductor's error body. */
export async function call<T>(method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(path, {
    method,
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) {
    let message = text || res.statusText;
    let validationErrors: ValidationErrorItem[] = [];
    try {
      const parsed = JSON.parse(text) as { message?: string; validationErrors?: ValidationErrorItem[] };
      if (parsed.message) message = parsed.message;
      if (Array.isArray(parsed.validationErrors)) validationErrors = parsed.validationErrors;
    } catch {
      // not JSON: the text as it came
    }
    throw new ApiError(res.status, `${res.status}: ${message}`, validationErrors);
  }
  if (!text) return undefined as T;
  try {
    return JSON.parse(text) as T;
  } catch {
    return text as T;
  }
}

const enc = encodeURIComponent;

export const api = {
  searchWorkflows(p: SearchParams): Promise<SearchResult<WorkflowSummary>> {
    const q = new URLSearchParams({ start: String(p.start), size: String(p.size) });
    if (p.sort) q.set('sort', p.sort);
    if (p.freeText) q.set('freeText', p.freeText);
    if (p.query) q.set('query', p.query);
    return call('GET', `/api/workflow/search?${q}`);
  },
  workflow: (id: string): Promise<Workflow> => call('GET', `/api/workflow/${enc(id)}?includeTasks=true`),
  definitions: (): Promise<WorkflowDef[]> => call('GET', '/api/metadata/workflow'),
  pause: (id: string) => call<void>('PUT', `/api/workflow/${enc(id)}/pause`),
  resume: (id: string) => call<void>('PUT', `/api/workflow/${enc(id)}/resume`),
  terminate: (id: string, reason: string) => call<void>('DELETE', `/api/workflow/${enc(id)}${reason ? `?reason=${enc(reason)}` : ''}`),
  restart: (id: string) => call<void>('POST', `/api/workflow/${enc(id)}/restart`),
  retry: (id: string) => call<void>('POST', `/api/workflow/${enc(id)}/retry`),
  rerunFrom: (id: string, taskId: string) => call<string>('POST', `/api/workflow/${enc(id)}/rerun`, { reRunFromWorkflowId: id, reRunFromTaskId: taskId }),
  skipTask: (id: string, ref: string) => call<void>('PUT', `/api/workflow/${enc(id)}/skiptask/${enc(ref)}`),
  /** Completes a task waiting on the outside (HUMAN, WAIT): Conductor's TaskResult. */
  completeTask: (workflowId: string, taskId: string, outputData: Record<string, unknown>) =>
    call<string>('POST', '/api/tasks', { workflowInstanceId: workflowId, taskId, status: 'COMPLETED', outputData }),
};
