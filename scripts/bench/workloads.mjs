// The workflows the bench drives. Each names its worker tasks by index: `preds[i]` is what must be acknowledged
// before task i can be handed out (-1: the workflow's start), `succs` the reverse (`startSuccs` for the start).

export const WORKLOADS = {
  linear5: '5 worker tasks in a line (one task type per step)',
  fork10: 'FORK_JOIN of 10 single-task branches + JOIN (one task type for the branches)',
  single: 'one worker task: start-to-complete',
};

export function buildWorkload(kind, runId) {
  const prefix = `bench_${runId}`;
  let refs, types, preds, tasks;
  if (kind === 'linear5') {
    refs = ['t1', 't2', 't3', 't4', 't5'];
    types = refs.map((r) => `${prefix}_${r}`);
    preds = [-1, 0, 1, 2, 3];
    tasks = refs.map((ref, i) => ({
      name: types[i],
      taskReferenceName: ref,
      inputParameters: { n: i === 0 ? '${workflow.input.n}' : `\${${refs[i - 1]}.output.n}` },
    }));
  } else if (kind === 'fork10') {
    refs = Array.from({ length: 10 }, (_, i) => `b${i + 1}`);
    const type = `${prefix}_branch`;
    types = refs.map(() => type);
    preds = refs.map(() => -1);
    tasks = [
      { name: 'fork', taskReferenceName: 'fork', type: 'FORK_JOIN', forkTasks: refs.map((ref) => [{ name: type, taskReferenceName: ref, inputParameters: { n: '${workflow.input.n}' } }]) },
      { name: 'join', taskReferenceName: 'join', type: 'JOIN', joinOn: refs },
    ];
  } else if (kind === 'single') {
    refs = ['s'];
    types = [`${prefix}_single`];
    preds = [-1];
    tasks = [{ name: types[0], taskReferenceName: 's', inputParameters: { n: '${workflow.input.n}' } }];
  } else {
    throw new Error(`unknown workload ${kind} (one of ${Object.keys(WORKLOADS).join(', ')})`);
  }
  const succs = refs.map((_, i) => preds.map((p, j) => (p === i ? j : -1)).filter((j) => j >= 0));
  const startSuccs = preds.map((p, j) => (p === -1 ? j : -1)).filter((j) => j >= 0);
  const taskTypes = [...new Set(types)];
  const name = `${prefix}_${kind}`;
  return {
    kind,
    description: WORKLOADS[kind],
    name,
    refs,
    refIndex: new Map(refs.map((r, i) => [r, i])),
    taskTypes,
    preds,
    succs,
    startSuccs,
    size: refs.length,
    // responseTimeoutSeconds: a lease runs out only if an update takes that long; then the retry shows up in the count check
    taskDefs: taskTypes.map((t) => ({ name: t, retryCount: 3, retryLogic: 'FIXED', retryDelaySeconds: 0, responseTimeoutSeconds: 300, timeoutSeconds: 0 })),
    workflowDef: { name, version: 1, schemaVersion: 2, tasks, outputParameters: {}, timeoutSeconds: 0 },
  };
}

export const TIMER_SECONDS = 1;

export function timerWorkflow(runId) {
  return {
    name: `bench_${runId}_wait`,
    version: 1,
    schemaVersion: 2,
    tasks: [{ name: 'pause', taskReferenceName: 'pause', type: 'WAIT', inputParameters: { duration: `${TIMER_SECONDS}s` } }],
    timeoutSeconds: 0,
  };
}
