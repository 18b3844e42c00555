import { DueQueues } from './due-queues';

describe('DueQueues (when the Kafka dispatcher looks at each queue)', () => {
  it('takes the queues due by now, the earliest first, each once', () => {
    const due = new DueQueues();
    due.schedule('kafka/b', 200);
    due.schedule('kafka/a', 100);
    due.schedule('kafka/c', 900);

    expect(due.takeDue(500)).toBe('kafka/a');
    expect(due.takeDue(500)).toBe('kafka/b');
    expect(due.takeDue(500)).toBeUndefined();
    expect(due.nextAt()).toBe(900);
    expect(due.takeDue(900)).toBe('kafka/c');
    expect(due.nextAt()).toBeUndefined();
  });

  it('keeps the earliest time asked for a queue, and says when a time moved it sooner', () => {
    const due = new DueQueues();
    expect(due.schedule('kafka/a', 300)).toBe(true);
    expect(due.schedule('kafka/a', 500)).toBe(false);
    expect(due.schedule('kafka/a', 300)).toBe(false);
    expect(due.schedule('kafka/a', 100)).toBe(true);

    expect(due.nextAt()).toBe(100);
    expect(due.takeDue(99)).toBeUndefined();
    expect(due.takeDue(100)).toBe('kafka/a');
  });

  it('asks again for a queue taken: a new time schedules it anew', () => {
    const due = new DueQueues();
    due.schedule('kafka/a', 0);
    expect(due.takeDue(0)).toBe('kafka/a');
    expect(due.schedule('kafka/a', 50)).toBe(true);
    expect(due.takeDue(50)).toBe('kafka/a');
  });
});
