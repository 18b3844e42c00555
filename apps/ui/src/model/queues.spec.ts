import { isStarved, queueRowsOf, splitQueueName } from './queues';

describe('the task-queues view', () => {
  it('reads a queue name as domain and type', () => {
    expect(splitQueueName('resize')).toEqual({ taskType: 'resize' });
    expect(splitQueueName('blue:resize')).toEqual({ taskType: 'resize', domain: 'blue' });
  });

  it('sums the shards, merges poll data per worker and domain (newest poll), and lists defined types nobody queued to', () => {
    const rows = queueRowsOf(
      { resize: { a: { size: 3, uacked: 2 } }, 'blue:resize': { a: { size: 1, uacked: 0 }, b: { size: 2, uacked: 1 } } },
      [
        { queueName: 'resize', workerId: 'w1', lastPollTime: 100 },
        { queueName: 'resize', workerId: 'w2', lastPollTime: 300 },
        { queueName: 'resize', workerId: 'w1', lastPollTime: 200 },
        { queueName: 'resize', domain: 'blue', workerId: 'w3', lastPollTime: 50 },
        { queueName: 'email', workerId: 'w4', lastPollTime: 10 },
      ],
      [{ name: 'resize', concurrentExecLimit: 4 }, { name: 'archive' }],
    );
    expect(rows).toEqual([
      { queueName: 'archive', taskType: 'archive', waiting: 0, inFlight: 0, workers: [], def: { name: 'archive' } },
      { queueName: 'email', taskType: 'email', waiting: 0, inFlight: 0, workers: [{ workerId: 'w4', lastPollTime: 10 }], lastPollTime: 10 },
      {
        queueName: 'resize',
        taskType: 'resize',
        waiting: 3,
        inFlight: 2,
        workers: [
          { workerId: 'w2', lastPollTime: 300 },
          { workerId: 'w1', lastPollTime: 200 },
        ],
        lastPollTime: 300,
        def: { name: 'resize', concurrentExecLimit: 4 },
      },
      { queueName: 'blue:resize', taskType: 'resize', domain: 'blue', waiting: 3, inFlight: 1, workers: [{ workerId: 'w3', lastPollTime: 50 }], lastPollTime: 50, def: { name: 'resize', concurrentExecLimit: 4 } },
    ]);
  });

  it('calls a queue starved when work waits and nobody polled it within the window, or ever', () => {
    const [archive, email, resize] = queueRowsOf({ archive: { a: { size: 2, uacked: 0 } }, email: { a: { size: 1, uacked: 0 } } }, [{ queueName: 'email', workerId: 'w', lastPollTime: 1_000 }, { queueName: 'resize', workerId: 'w', lastPollTime: 0 }], []);
    expect(isStarved(archive, 100_000, 30_000)).toBe(true);
    expect(isStarved(email, 20_000, 30_000)).toBe(false);
    expect(isStarved(email, 40_000, 30_000)).toBe(true);
    expect(isStarved(resize, 100_000, 30_000)).toBe(false); // nothing waits
  });
});
