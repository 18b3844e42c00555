import { baseRefOf, type Execution, type ExecutionTask, type WorkflowTask } from './execution-types';

/** A definition task the execution has not reached (or, in a finished workflow, never ran). */
export type NodeStatus = ExecutionTask['status'] | 'NOT_RUN';

export type DagNodeKind = 'start' | 'end' | 'task' | 'fork' | 'dynamic-fork' | 'join' | 'switch' | 'loop' | 'loop-end' | 'sub-workflow' | 'terminate' | 'branch-group';

/**
 * A dynamic fork wider than this is drawn grouped: one node per status for the many branches alike, each
 * branch of a status with at most GROUP_SINGLES members (a few failures among a thousand) on its own. A
 * row of a thousand identical nodes would be neither readable nor quick to lay out.
 */
export const MAX_DRAWN_BRANCHES = 100;
const GROUP_SINGLES = 10;

/** One run of a loop body task: which iteration, and its newest attempt. */
export interface IterationRun {
  readonly iteration: number;
  readonly ref: string;
  readonly taskId: string;
  readonly status: ExecutionTask['status'];
}

export interface DagNode {
  /** Unique in the graph: the definition's reference (a loop body task's base reference), or `__start`/`__end`. */
  readonly id: string;
  readonly ref: string;
  readonly label: string;
  readonly taskType: string;
  readonly kind: DagNodeKind;
  /** The newest attempt's status (a loop body task: of the newest iteration). */
  readonly status: NodeStatus;
  /** The newest attempt, to open in the task panel. */
  readonly taskId?: string;
  /** Attempts of this reference (retries included; a loop body task: in its newest iteration). */
  readonly attempts: number;
  /** DO_WHILE: iterations begun. Body tasks: every iteration they ran in, oldest first. */
  readonly iterations?: number;
  readonly iterationRuns?: readonly IterationRun[];
  /** SUB_WORKFLOW: the child workflow to open. */
  readonly subWorkflowId?: string;
  /** A branch a dynamic fork made: not in the definition, found among the tasks. */
  readonly dynamic?: boolean;
  /** In a switch case that was not taken, or after a graph-flow edge that was not followed. */
  readonly greyed: boolean;
  /** A task that ran though the definition does not place it (shown apart, unconnected). */
  readonly detached?: boolean;
  /** A branch group: how many branches it stands for (all of its status), and their references. */
  readonly groupSize?: number;
  readonly groupRefs?: readonly string[];
}

export interface DagEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  /** A switch case's name, or a loop's iteration count. */
  readonly label?: string;
  /** The execution went this way. */
  readonly taken: boolean;
  /** The execution will not go this way (an untaken case, a graph edge not followed). */
  readonly greyed: boolean;
}

export interface Dag {
  readonly nodes: readonly DagNode[];
  readonly edges: readonly DagEdge[];
}

export const START_ID = '__start';
export const END_ID = '__end';

/** Where a piece of the graph is entered and left. */
interface Segment {
  readonly entry: string;
  readonly exits: readonly Exit[];
}
/** An open end to connect to what follows: its node, and whether the way out of it is greyed. */
interface Exit {
  readonly node: string;
  readonly greyed: boolean;
}

interface Ctx {
  readonly nodes: Map<string, DagNode>;
  readonly edges: DagEdge[];
  /** Tasks by reference, oldest first. */
  readonly byRef: Map<string, ExecutionTask[]>;
  /** Loop body tasks by base reference, oldest first. */
  readonly byBaseRef: Map<string, ExecutionTask[]>;
  readonly placed: Set<string>;
}

/**
 * The execution graph of a workflow: the definition's tasks with each one's live status. Forks fan out to
 * their JOIN; a switch shows every case, the taken one marked and the others greyed; a DO_WHILE body is
 * drawn once between the loop and its end, each task carrying its iterations (`ref__N`); a dynamic fork's
 * branches come from the tasks it made (`forkedTasks`); a sub-workflow names its child. A graph flow
 * (`flow: 'graph'`, Rill Flow DAGs) is drawn from each task's `next`, greyed where `takenNext` did not go.
 * Pure: the same execution gives the same graph, in a stable order.
 */
export function dagOf(execution: Execution): Dag {
  const tasks = [...(execution.tasks ?? [])].sort((a, b) => a.seq - b.seq);
  const ctx: Ctx = { nodes: new Map(), edges: [], byRef: groupBy(tasks, (t) => t.referenceTaskName), byBaseRef: groupBy(tasks.filter(isLoopInstance), (t) => baseRefOf(t.referenceTaskName)), placed: new Set() };
  addNode(ctx, { id: START_ID, ref: START_ID, label: 'start', taskType: 'START', kind: 'start', status: 'COMPLETED', attempts: 0, greyed: false });
  addNode(ctx, { id: END_ID, ref: END_ID, label: 'end', taskType: 'END', kind: 'end', status: endStatusOf(execution.status), attempts: 0, greyed: false });
  const defTasks = execution.workflowDefinition.tasks ?? [];
  if (execution.workflowDefinition.flow === 'graph') graphFlow(ctx, defTasks);
  else {
    const seg = list(ctx, defTasks, false);
    if (seg) {
      connect(ctx, [{ node: START_ID, greyed: false }], seg.entry);
      connect(ctx, seg.exits, END_ID);
    } else connect(ctx, [{ node: START_ID, greyed: false }], END_ID);
  }
  // Tasks the definition does not place (e.g. a definition changed under a restart): shown, unconnected.
  for (const t of tasks) {
    const ref = t.referenceTaskName;
    if (ctx.placed.has(ref) || ctx.placed.has(baseRefOf(ref)) || ctx.nodes.has(ref)) continue;
    const runs = ctx.byRef.get(ref) ?? [t];
    addNode(ctx, { ...statusOf(runs), id: ref, ref, label: t.taskDefName ?? ref, taskType: t.taskType, kind: 'task', greyed: false, detached: true });
  }
  return { nodes: [...ctx.nodes.values()], edges: ctx.edges };
}

const isLoopInstance = (t: ExecutionTask): boolean => t.loopOverTask === true || /__\d+$/.test(t.referenceTaskName);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = out.get(k);
    if (group) group.push(item);
    else out.set(k, [item]);
  }
  return out;
}

function endStatusOf(status: Execution['status']): NodeStatus {
  switch (status) {
    case 'COMPLETED':
      return 'COMPLETED';
    case 'FAILED':
    case 'TIMED_OUT':
      return 'FAILED';
    case 'TERMINATED':
      return 'CANCELED';
    default:
      return 'NOT_RUN';
  }
}

function addNode(ctx: Ctx, node: DagNode): void {
  ctx.nodes.set(node.id, node);
  ctx.placed.add(node.ref);
}

function connect(ctx: Ctx, from: readonly Exit[], to: string, label?: string, greyedIn = false): void {
  const target = ctx.nodes.get(to);
  for (const exit of from) {
    const source = ctx.nodes.get(exit.node);
    const greyed = greyedIn || exit.greyed || !!target?.greyed;
    const taken = !greyed && ran(source) && ran(target);
    ctx.edges.push({ id: `${exit.node}->${to}${label ? `:${label}` : ''}`, source: exit.node, target: to, label, taken, greyed });
  }
}

const ran = (node: DagNode | undefined): boolean => !!node && node.status !== 'NOT_RUN' && !node.greyed;

/** The status and newest attempt of one reference's runs. */
function statusOf(runs: readonly ExecutionTask[] | undefined): Pick<DagNode, 'status' | 'taskId' | 'attempts'> {
  if (!runs?.length) return { status: 'NOT_RUN', attempts: 0 };
  const last = runs[runs.length - 1];
  return { status: last.status, taskId: last.taskId, attempts: runs.length };
}

/** A task list in sequence; undefined when it is empty. */
function list(ctx: Ctx, tasks: readonly WorkflowTask[], greyed: boolean, loop?: boolean): Segment | undefined {
  let first: string | undefined;
  let exits: readonly Exit[] = [];
  for (const wt of tasks) {
    const seg = task(ctx, wt, greyed, loop);
    if (first === undefined) first = seg.entry;
    else connect(ctx, exits, seg.entry);
    exits = seg.exits;
  }
  return first === undefined ? undefined : { entry: first, exits };
}

function task(ctx: Ctx, wt: WorkflowTask, greyed: boolean, inLoop?: boolean): Segment {
  const ref = wt.taskReferenceName;
  const type = wt.type ?? 'SIMPLE';
  const runs = inLoop ? loopRunsOf(ctx, ref) : ctx.byRef.get(ref);
  const base = { id: ref, ref, label: wt.name ?? ref, taskType: type, greyed, ...statusOf(runs) };
  const own = (kind: DagNodeKind, extra: Partial<DagNode> = {}): Segment => {
    addNode(ctx, { ...base, kind, ...extra, ...(inLoop ? iterationsOf(runs) : {}) });
    return { entry: ref, exits: [{ node: ref, greyed: false }] };
  };
  switch (type) {
    case 'FORK_JOIN':
    case 'FORK': {
      addNode(ctx, { ...base, kind: 'fork' });
      const exits: Exit[] = [];
      for (const branch of wt.forkTasks ?? []) {
        const seg = list(ctx, branch, greyed, inLoop);
        if (!seg) continue;
        connect(ctx, [{ node: ref, greyed: false }], seg.entry);
        exits.push(...seg.exits);
      }
      return { entry: ref, exits: exits.length ? exits : [{ node: ref, greyed: false }] };
    }
    case 'FORK_JOIN_DYNAMIC':
      return dynamicFork(ctx, wt, base, runs);
    case 'SWITCH':
    case 'DECISION':
      return switchTask(ctx, wt, base, runs, inLoop);
    case 'DO_WHILE':
      return doWhile(ctx, wt, base, runs);
    case 'JOIN':
    case 'EXCLUSIVE_JOIN':
      return own('join');
    case 'SUB_WORKFLOW':
    case 'RILL_SUBFLOW': {
      const last = runs?.[runs.length - 1];
      const child = last?.subWorkflowId ?? (typeof last?.outputData?.subWorkflowId === 'string' ? last.outputData.subWorkflowId : undefined);
      return own('sub-workflow', child ? { subWorkflowId: child } : {});
    }
    case 'TERMINATE':
      return own('terminate');
    default:
      return own('task');
  }
}

/** The runs of a loop body task, every iteration's instance (`ref__N`), oldest first. */
function loopRunsOf(ctx: Ctx, ref: string): ExecutionTask[] | undefined {
  const runs = ctx.byBaseRef.get(ref);
  return runs?.length ? runs : ctx.byRef.get(ref);
}

/** A loop body node's per-iteration runs, and its status/attempts as of the newest iteration. */
function iterationsOf(runs: readonly ExecutionTask[] | undefined): Partial<DagNode> {
  if (!runs?.length) return {};
  const byIteration = groupBy(runs, (t) => t.referenceTaskName);
  const iterationRuns: IterationRun[] = [...byIteration.entries()]
    .map(([ref, attempts]) => {
      const last = attempts[attempts.length - 1];
      return { iteration: last.iteration ?? Number(/__(\d+)$/.exec(ref)?.[1] ?? 0), ref, taskId: last.taskId, status: last.status };
    })
    .sort((a, b) => a.iteration - b.iteration);
  const newest = iterationRuns[iterationRuns.length - 1];
  return { iterationRuns, status: newest.status, taskId: newest.taskId, attempts: byIteration.get(newest.ref)?.length ?? 1 };
}

function switchTask(ctx: Ctx, wt: WorkflowTask, base: Omit<DagNode, 'kind'>, runs: ExecutionTask[] | undefined, inLoop?: boolean): Segment {
  const ref = wt.taskReferenceName;
  addNode(ctx, { ...base, kind: 'switch', ...(inLoop ? iterationsOf(runs) : {}) });
  const last = runs?.[runs.length - 1];
  const decided = !!last && last.status !== 'SCHEDULED' && last.status !== 'IN_PROGRESS';
  const selected = decided ? selectedCaseOf(last) : undefined;
  const cases = Object.entries(wt.decisionCases ?? {});
  // As the decider: the matching case, else the default (DECISION also falls back from an empty case).
  const match = cases.find(([name, tasks]) => name === selected && (wt.type === 'SWITCH' || tasks.length > 0));
  const takenCase = decided ? (match ? match[0] : 'default') : undefined;
  const exits: Exit[] = [];
  const branches: [string, readonly WorkflowTask[]][] = [...cases, ['default', wt.defaultCase ?? []]];
  for (const [name, tasks] of branches) {
    const untaken = base.greyed || (takenCase !== undefined && takenCase !== name);
    const seg = list(ctx, tasks, untaken, inLoop);
    if (seg) {
      connect(ctx, [{ node: ref, greyed: false }], seg.entry, name, untaken);
      exits.push(...seg.exits.map((e) => ({ node: e.node, greyed: e.greyed || untaken })));
    } else if (name !== 'default' || takenCase === 'default' || cases.length === 0) {
      // An empty case goes straight on: an exit from the switch itself, labelled by the case.
      exits.push({ node: ref, greyed: untaken });
    }
  }
  return { entry: ref, exits: exits.length ? dedupe(exits) : [{ node: ref, greyed: false }] };
}

function dedupe(exits: readonly Exit[]): Exit[] {
  const out = new Map<string, Exit>();
  for (const e of exits) {
    const seen = out.get(e.node);
    out.set(e.node, seen ? { node: e.node, greyed: seen.greyed && e.greyed } : e);
  }
  return [...out.values()];
}

function selectedCaseOf(task: ExecutionTask): string | undefined {
  const out = task.outputData ?? {};
  const first = (v: unknown): string | undefined => (Array.isArray(v) && v.length ? String(v[0]) : undefined);
  return (typeof out.selectedCase === 'string' ? out.selectedCase : undefined) ?? first(out.evaluationResult) ?? first(out.caseOutput);
}

function doWhile(ctx: Ctx, wt: WorkflowTask, base: Omit<DagNode, 'kind'>, runs: ExecutionTask[] | undefined): Segment {
  const ref = wt.taskReferenceName;
  const last = runs?.[runs.length - 1];
  const iterations = last ? (last.iteration ?? numberOr(last.outputData?.iteration, 0)) : 0;
  addNode(ctx, { ...base, kind: 'loop', iterations });
  const endId = `${ref}#end`;
  const body = list(ctx, wt.loopOver ?? [], base.greyed, true);
  addNode(ctx, { id: endId, ref: endId, label: `end of ${wt.name ?? ref}`, taskType: 'DO_WHILE_END', kind: 'loop-end', status: base.status === 'NOT_RUN' || !last || last.status === 'IN_PROGRESS' ? 'NOT_RUN' : last.status, attempts: 0, greyed: base.greyed, iterations });
  if (body) {
    connect(ctx, [{ node: ref, greyed: false }], body.entry, iterations ? `×${iterations}` : undefined);
    connect(ctx, body.exits, endId);
  } else connect(ctx, [{ node: ref, greyed: false }], endId);
  return { entry: ref, exits: [{ node: endId, greyed: false }] };
}

const numberOr = (v: unknown, fallback: number): number => (typeof v === 'number' ? v : fallback);

function dynamicFork(ctx: Ctx, wt: WorkflowTask, base: Omit<DagNode, 'kind'>, runs: ExecutionTask[] | undefined): Segment {
  const ref = wt.taskReferenceName;
  addNode(ctx, { ...base, kind: 'dynamic-fork' });
  const fork = runs?.[runs.length - 1];
  const forked = fork?.inputData?.forkedTasks;
  const refs = Array.isArray(forked) ? forked.filter((r): r is string => typeof r === 'string') : [];
  const exits: Exit[] = [];
  const branches = refs.map((branchRef) => branchNode(ctx, branchRef, base.greyed));
  const drawn: DagNode[] = [];
  if (branches.length <= MAX_DRAWN_BRANCHES) drawn.push(...branches);
  else {
    const byStatus = groupBy(branches, (b) => b.status);
    for (const members of byStatus.values()) {
      const status = members[0].status;
      if (members.length <= GROUP_SINGLES && status !== 'COMPLETED') drawn.push(...members);
      else {
        const sample = members.find((m) => m.taskId);
        drawn.push({
          id: `${ref}::${status}`,
          ref: `${ref}::${status}`,
          label: `${members.length} × ${members[0].label}`,
          taskType: members[0].taskType,
          kind: 'branch-group',
          status,
          attempts: 0,
          greyed: base.greyed,
          dynamic: true,
          groupSize: members.length,
          groupRefs: members.map((m) => m.ref),
          ...(sample?.taskId ? { taskId: sample.taskId } : {}),
        });
      }
    }
  }
  for (const node of drawn) {
    addNode(ctx, node);
    connect(ctx, [{ node: ref, greyed: false }], node.id);
    exits.push({ node: node.id, greyed: false });
  }
  // Grouped branches are placed (not "detached"), though not drawn one by one.
  for (const b of branches) ctx.placed.add(b.ref);
  return { entry: ref, exits: exits.length ? exits : [{ node: ref, greyed: false }] };
}

function branchNode(ctx: Ctx, branchRef: string, greyed: boolean): DagNode {
  const branchRuns = ctx.byRef.get(branchRef);
  const first = branchRuns?.[0];
  const type = first?.taskType ?? 'SIMPLE';
  const last = branchRuns?.[branchRuns.length - 1];
  const child = last?.subWorkflowId ?? (typeof last?.outputData?.subWorkflowId === 'string' ? last.outputData.subWorkflowId : undefined);
  return {
    id: branchRef,
    ref: branchRef,
    label: first?.taskDefName ?? first?.workflowTask?.name ?? branchRef,
    taskType: type,
    kind: type === 'SUB_WORKFLOW' ? 'sub-workflow' : 'task',
    greyed,
    dynamic: true,
    ...statusOf(branchRuns),
    ...(child ? { subWorkflowId: child } : {}),
  };
}

/** A graph flow: every task at the top level, edges from `next`; roots follow the start, leaves lead to the end. */
function graphFlow(ctx: Ctx, defTasks: readonly WorkflowTask[]): void {
  const targets = new Set(defTasks.flatMap((wt) => wt.next ?? []));
  for (const wt of defTasks) {
    const runs = ctx.byRef.get(wt.taskReferenceName);
    const kind: DagNodeKind = wt.type === 'RILL_SUBFLOW' || wt.type === 'SUB_WORKFLOW' ? 'sub-workflow' : wt.type === 'RILL_SWITCH' || wt.type === 'RILL_CHOICE' ? 'switch' : wt.type === 'RILL_RETURN' ? 'terminate' : 'task';
    const last = runs?.[runs.length - 1];
    const child = last?.subWorkflowId;
    addNode(ctx, { id: wt.taskReferenceName, ref: wt.taskReferenceName, label: wt.name ?? wt.taskReferenceName, taskType: wt.type ?? 'SIMPLE', kind, greyed: false, ...statusOf(runs), ...(child ? { subWorkflowId: child } : {}) });
  }
  for (const wt of defTasks) {
    const ref = wt.taskReferenceName;
    const source = ctx.nodes.get(ref);
    const last = ctx.byRef.get(ref)?.at(-1);
    const chosen = last?.takenNext;
    if (!targets.has(ref)) connect(ctx, [{ node: START_ID, greyed: false }], ref);
    const next = wt.next ?? [];
    if (!next.length) connect(ctx, [{ node: ref, greyed: false }], END_ID);
    for (const to of next) {
      // `takenNext` present: only those were followed. Absent: every `next` is, once the source ended.
      const notFollowed = chosen !== undefined && !chosen.includes(to) && last !== undefined;
      const target = ctx.nodes.get(to);
      const taken = !notFollowed && ran(source) && ran(target) && source?.status !== 'SKIPPED' && target?.status !== 'SKIPPED';
      ctx.edges.push({ id: `${ref}->${to}`, source: ref, target: to, taken, greyed: notFollowed });
    }
  }
}
