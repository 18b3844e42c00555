import { EventEmitter } from 'node:events';
import type { Runnable, StopOptions } from './worker';
import { runUntilSignal, WorkerGroup } from './worker-group';

class FakeRunnable implements Runnable {
  readonly calls: string[] = [];
  constructor(private readonly failStart = false) {}
  async start(): Promise<void> {
    this.calls.push('start');
    if (this.failStart) throw new Error('cannot connect');
  }
  async stop(options?: StopOptions): Promise<void> {
    this.calls.push(`stop:${options?.timeoutMs ?? 'default'}`);
  }
}

describe('WorkerGroup', () => {
  it('starts and stops every worker', async () => {
    const [a, b] = [new FakeRunnable(), new FakeRunnable()];
    const group = new WorkerGroup([a, b]);
    await group.start();
    await group.stop({ timeoutMs: 5 });
    expect([a.calls, b.calls]).toEqual([
      ['start', 'stop:5'],
      ['start', 'stop:5'],
    ]);
  });

  it('when one worker cannot start, stops the others at once and rejects', async () => {
    const [a, b] = [new FakeRunnable(), new FakeRunnable(true)];
    await expect(new WorkerGroup([a, b]).start()).rejects.toThrow('cannot connect');
    expect(a.calls).toEqual(['start', 'stop:0']);
  });
});

describe('runUntilSignal', () => {
  it('runs until SIGTERM, stops gracefully, and lets go of its listeners', async () => {
    const source = new EventEmitter();
    const target = new FakeRunnable();
    const run = runUntilSignal(target, { source, timeoutMs: 100 });
    await new Promise((resolve) => setImmediate(resolve));
    expect(target.calls).toEqual(['start']);

    source.emit('SIGTERM');

    await expect(run).resolves.toBe('SIGTERM');
    expect(target.calls).toEqual(['start', 'stop:100']);
    expect(source.listenerCount('SIGTERM') + source.listenerCount('SIGINT')).toBe(0);
  });

  it('a second signal gives up on what still runs', async () => {
    const source = new EventEmitter();
    let finishStop!: () => void;
    const target: Runnable & { stops: Array<number | undefined> } = {
      stops: [],
      start: async () => undefined,
      stop(options?: StopOptions) {
        this.stops.push(options?.timeoutMs);
        return this.stops.length === 1 ? new Promise<void>((resolve) => (finishStop = resolve)) : Promise.resolve();
      },
    };
    const run = runUntilSignal(target, { source });
    await new Promise((resolve) => setImmediate(resolve));

    source.emit('SIGINT');
    await new Promise((resolve) => setImmediate(resolve));
    source.emit('SIGINT');
    finishStop();

    await expect(run).resolves.toBe('SIGINT');
    expect(target.stops).toEqual([undefined, 0]);
  });
});
