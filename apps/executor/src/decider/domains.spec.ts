import { domainOf } from '@app/contracts';
import { aDefinition, aSimpleTask, commandsOf, run, started, T0, taskOf } from './testing/builders';

describe('task domains', () => {
  it("takes a worker task's domain from taskToDomain (its type's entry, else '*') and queues it as <domain>:<type>", () => {
    const def = aDefinition([aSimpleTask('a'), aSimpleTask('b')]);
    const s = run(def, [[T0, started({}, { taskToDomain: { a_task: 'blue', '*': 'green' } })]]);
    expect(taskOf(s.state, 'a').domain).toBe('blue');
    expect(commandsOf(s.commands, 'queue.push')).toEqual([expect.objectContaining({ queueName: 'blue:a_task', taskDefName: 'a_task' })]);
  });

  it('queues a task without a domain in its type\'s own queue', () => {
    const s = run(aDefinition([aSimpleTask('a')]), [[T0, started()]]);
    expect(taskOf(s.state, 'a').domain).toBeUndefined();
    expect(commandsOf(s.commands, 'queue.push')).toEqual([expect.objectContaining({ queueName: 'a_task' })]);
  });

  it('reads a list of domains as its first, and NO_DOMAIN as none', () => {
    expect(domainOf({ t: 'blue, green,NO_DOMAIN' }, 't')).toBe('blue');
    expect(domainOf({ t: 'NO_DOMAIN,blue' }, 't')).toBeUndefined();
    expect(domainOf({ '*': 'any' }, 't')).toBe('any');
    expect(domainOf(undefined, 't')).toBeUndefined();
  });
});
