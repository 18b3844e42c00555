import { WorkflowDef } from './conductor/definitions';
import { baseRefOf, carriesOwnWorkflowTask, loopRefOf, withDefinitionParts, withoutDefinitionParts } from './definition-graph';

const def: Pick<WorkflowDef, 'tasks'> = {
  tasks: [
    { name: 'first_task', taskReferenceName: 'first', type: 'SIMPLE' },
    { name: 'loop', taskReferenceName: 'loop', type: 'DO_WHILE', loopCondition: 'true', loopOver: [{ name: 'work_task', taskReferenceName: 'work', type: 'SIMPLE' }] },
    { name: 'call', taskReferenceName: 'call', type: 'HTTP' },
  ],
};

describe('a stored task with its definition parts put back', () => {
  it.each<[string, { referenceTaskName: string; loopOverTask?: boolean }, string | undefined, boolean]>([
    ['a task by its reference', { referenceTaskName: 'first' }, 'first', true],
    ["a DO_WHILE iteration's instance by its loop task's reference", { referenceTaskName: 'work__3', loopOverTask: true }, 'work', true],
    ['a queued system task, with its task definition', { referenceTaskName: 'call' }, 'call', true],
    ['a control-flow task, without a task definition', { referenceTaskName: 'loop' }, 'loop', false],
    ['a reference the definition does not know: as stored', { referenceTaskName: 'nope__2', loopOverTask: true }, undefined, false],
  ])('%s', (_, stored, ref, withTaskDef) => {
    const task = withDefinitionParts(stored, def);

    expect(task.workflowTask?.taskReferenceName).toBe(ref);
    expect(task.taskDefinition !== undefined).toBe(withTaskDef);
    expect(withoutDefinitionParts(task)).toEqual(stored);
  });

  it('names iterations and reads them back', () => {
    expect(loopRefOf('work', 12)).toBe('work__12');
    expect(baseRefOf('work__12')).toBe('work');
    expect(baseRefOf('__fork_1')).toBe('__fork_1');
    expect(baseRefOf('plain')).toBe('plain');
  });
});

describe('carriesOwnWorkflowTask', () => {
  const def = { tasks: [{ name: 'work', taskReferenceName: 'work', type: 'SIMPLE' }, { name: 'pick', taskReferenceName: 'pick', type: 'DYNAMIC', dynamicTaskNameParam: 'n' }] } as never;

  it.each<[string, Record<string, unknown>, boolean]>([
    ["a task scheduled as its definition's", { referenceTaskName: 'work', workflowTask: { name: 'work', taskReferenceName: 'work', type: 'SIMPLE' } }, false],
    ['a task stored without one', { referenceTaskName: 'work' }, false],
    ["a DYNAMIC task's chosen task", { referenceTaskName: 'pick', workflowTask: { name: 'ship', taskReferenceName: 'pick', type: 'SIMPLE' } }, true],
    ['a task given at run time', { referenceTaskName: '_b_0', workflowTask: { name: 'b', taskReferenceName: '_b_0' } }, true],
  ])('%s: %s', (_, task, expected) => {
    expect(carriesOwnWorkflowTask(task as never, def)).toBe(expected);
  });
});
