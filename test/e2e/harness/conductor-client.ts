/** A minimal Conductor REST client over fetch: what a Conductor SDK sends, nothing more. */
export interface HttpResult<T = unknown> {
  readonly status: number;
  readonly contentType: string;
  readonly body: T;
  readonly text: string;
}

export class ConductorClient {
  constructor(readonly baseUrl: string) {}

  async call<T = unknown>(method: string, path: string, body?: unknown, rawBody?: string, requestType = 'application/json'): Promise<HttpResult<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: body !== undefined || rawBody !== undefined ? { 'content-type': requestType } : {},
      body: rawBody ?? (body !== undefined ? JSON.stringify(body) : undefined),
    });
    const text = await res.text();
    const contentType = res.headers.get('content-type') ?? '';
    let parsed: unknown = text;
    if (contentType.includes('application/json') && text) parsed = JSON.parse(text);
    return { status: res.status, contentType, body: parsed as T, text };
  }

  async expectOk<T = unknown>(method: string, path: string, body?: unknown): Promise<HttpResult<T>> {
    const r = await this.call<T>(method, path, body);
    if (r.status < 200 || r.status >= 300) throw new Error(`${method} ${path} answered ${r.status}: ${r.text}`);
    return r;
  }

  async waitHealthy(timeoutMs = 90_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        const r = await this.call<{ healthy: boolean }>('GET', '/health');
        if (r.status === 200 && r.body.healthy) return;
      } catch {
        // not listening yet
      }
      if (Date.now() > deadline) throw new Error(`${this.baseUrl} not healthy within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  registerTaskDefs(defs: unknown[]) {
    return this.expectOk('POST', '/api/metadata/taskdefs', defs);
  }

  registerWorkflow(def: unknown) {
    return this.expectOk('POST', '/api/metadata/workflow?overwrite=true', def);
  }

  async startWorkflow(name: string, input: Record<string, unknown>): Promise<string> {
    return (await this.expectOk<string>('POST', `/api/workflow/${name}`, input)).text;
  }

  async workflow(id: string): Promise<WorkflowView> {
    return (await this.expectOk<WorkflowView>('GET', `/api/workflow/${id}`)).body;
  }

  async poll(taskType: string, workerId: string, count: number, timeoutMs: number): Promise<TaskView[]> {
    const r = await this.call<TaskView[]>('GET', `/api/tasks/poll/batch/${taskType}?workerid=${workerId}&count=${count}&timeout=${timeoutMs}`);
    if (r.status === 503) return []; // the owner was busy (a rebalance): poll again
    if (r.status !== 200) throw new Error(`poll ${taskType} answered ${r.status}: ${r.text}`);
    return r.body;
  }

  complete(task: TaskView, outputData: Record<string, unknown>) {
    return this.expectOk('POST', '/api/tasks', { workflowInstanceId: task.workflowInstanceId, taskId: task.taskId, status: 'COMPLETED', outputData, workerId: 'e2e' });
  }

  /** Polls GET /api/workflow/{id} until it reaches `status`. */
  waitForStatus(id: string, status: string, timeoutMs = 60_000): Promise<WorkflowView> {
    return this.waitFor(id, (wf) => wf.status === status, timeoutMs, (wf) => `workflow ${id} is ${wf.status}, expected ${status}`);
  }

  /**
   * Polls GET /api/workflow/{id} until `holds` is true of it. A workflow started by a message (a child, a
   * failureWorkflow) may not exist yet: a 404 is polled through until the time is up.
   */
  async waitFor(id: string, holds: (wf: WorkflowView) => boolean, timeoutMs = 60_000, describe = (wf: WorkflowView) => `workflow ${id} (${wf.status}) never got there`): Promise<WorkflowView> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const r = await this.call<WorkflowView>('GET', `/api/workflow/${id}`);
      if (r.status !== 404 && (r.status < 200 || r.status >= 300)) throw new Error(`GET /api/workflow/${id} answered ${r.status}: ${r.text}`);
      if (r.status !== 404 && holds(r.body)) return r.body;
      if (Date.now() > deadline) throw new Error(r.status === 404 ? `workflow ${id} does not exist` : describe(r.body));
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

export interface TaskView {
  taskId: string;
  taskType: string;
  status: string;
  referenceTaskName: string;
  workflowInstanceId: string;
  inputData: Record<string, unknown>;
  outputData: Record<string, unknown>;
  pollCount: number;
  retryCount?: number;
  /** SUB_WORKFLOW: the child workflow's id. */
  subWorkflowId?: string;
}

export interface WorkflowView {
  workflowId: string;
  status: string;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  variables?: Record<string, unknown>;
  reasonForIncompletion?: string;
  tasks: TaskView[];
}
