import { TASK_INDEX, WORKFLOW_INDEX } from '../fields/search-fields';
import { DEFAULT_SEARCH_LIMITS } from '../search-limits';
import { parseSort } from './sort.parser';

const keys = (text: string, index = WORKFLOW_INDEX) => {
  const result = parseSort(text, index);
  if (!result.ok) throw new Error(result.errors[0].message);
  return result.value.map((k) => `${k.field.name}:${k.direction}`);
};

describe('parseSort', () => {
  it.each([
    ['', []],
    ['   ', []],
    ['startTime:DESC', ['startTime:DESC']],
    ['startTime', ['startTime:ASC']],
    ['startTime:desc', ['startTime:DESC']],
    ['startTime:Asc', ['startTime:ASC']],
    ['startTime:DESC|workflowId:ASC', ['startTime:DESC', 'workflowId:ASC']],
    [' startTime : DESC | workflowType ', ['startTime:DESC', 'workflowType:ASC']],
    ['startTime:DESC|', ['startTime:DESC']],
    ['|startTime:DESC||version', ['startTime:DESC', 'version:ASC']],
  ])('%j', (text, expected) => {
    expect(keys(text)).toEqual(expected);
  });

  it('types the keys', () => {
    const result = parseSort('scheduledTime:DESC|taskId', TASK_INDEX);
    expect(result).toEqual({
      ok: true,
      value: [
        { field: { name: 'scheduledTime', type: 'time' }, direction: 'DESC' },
        { field: { name: 'taskId', type: 'keyword' }, direction: 'ASC' },
      ],
    });
  });

  it.each([
    ['nope:ASC', 0, "unknown sort field 'nope': workflow search fields are"],
    ['startTime:DESC|nope', 15, "unknown sort field 'nope'"],
    ['starttime:DESC', 0, "did you mean 'startTime'?"],
    ['startTime:DOWN', 10, "expected ASC or DESC after 'startTime:', found 'DOWN'"],
    ['startTime: ', 10, "expected ASC or DESC after 'startTime:', found nothing"],
    ['startTime:  sideways', 12, "found 'sideways'"],
    ['startTime:DESC,workflowId:ASC', 14, "separate sort keys with '|', as Conductor does"],
    ['failedReferenceTaskNames:ASC', 0, 'cannot sort by failedReferenceTaskNames, a list of keywords'],
    ['taskType:ASC', 0, "unknown sort field 'taskType'"],
    [':ASC', 0, "unknown sort field ''"],
  ])('%j fails at %i', (text, position, message) => {
    const result = parseSort(text, WORKFLOW_INDEX);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({ param: 'sort', position });
    expect(result.errors[0].message).toContain(message);
  });

  it('reports every bad key', () => {
    const result = parseSort('a|startTime|b:UP', WORKFLOW_INDEX);
    expect(!result.ok && result.errors.map((e) => e.position)).toEqual([0, 12]);
  });

  it('bounds the number of keys', () => {
    const text = Array.from({ length: DEFAULT_SEARCH_LIMITS.maxSortKeys + 1 }, () => 'startTime').join('|');
    const result = parseSort(text, WORKFLOW_INDEX);
    expect(!result.ok && result.errors[0].message).toContain(`at most ${DEFAULT_SEARCH_LIMITS.maxSortKeys} sort keys`);
  });
});
