import type { KafkaMessage } from 'kafkajs';
import { CommittableOffset, MessagePipeline, PipelineOptions } from './message-pipeline';

const msg = (offset: number, key: string): KafkaMessage =>
  ({ offset: String(offset), key: Buffer.from(key), value: Buffer.from(`${key}@${offset}`), timestamp: '0', attributes: 0, headers: {} }) as KafkaMessage;

/** A deferred promise the test settles by hand. */
function gate() {
  let open!: () => void;
  let fail!: (err: Error) => void;
  const promise = new Promise<void>((resolve, reject) => ((open = resolve), (fail = reject)));
  return { promise, open, fail };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

function pipelineWith(handle: (topic: string, partition: number, m: KafkaMessage) => Promise<void>, options: Partial<PipelineOptions> = {}) {
  const commits: CommittableOffset[][] = [];
  const errors: unknown[] = [];
  const pipeline = new MessagePipeline(
    handle,
    async (offsets) => {
      commits.push([...offsets]);
    },
    {
      maxInFlight: 100,
      commitIntervalMs: 5,
      retryDelayMs: () => 1,
      onHandlerError: (err) => errors.push(err),
      onCommitError: (err) => errors.push(err),
      ...options,
    },
  );
  return { pipeline, commits, errors };
}

describe('MessagePipeline', () => {
  it('handles messages of one key one after another, in offset order, and different keys at once', async () => {
    const started: string[] = [];
    const gates = new Map<string, ReturnType<typeof gate>>();
    const { pipeline } = pipelineWith(async (_t, _p, m) => {
      const id = m.value!.toString();
      started.push(id);
      const g = gate();
      gates.set(id, g);
      await g.promise;
    });
    await pipeline.accept('t', 0, [msg(0, 'a'), msg(1, 'b'), msg(2, 'a')]);
    await tick();
    expect(started).toEqual(['a@0', 'b@1']); // a@2 waits for a@0; b runs beside a
    gates.get('b@1')!.open();
    await tick();
    expect(started).toEqual(['a@0', 'b@1']);
    gates.get('a@0')!.open();
    await tick();
    expect(started).toEqual(['a@0', 'b@1', 'a@2']);
    gates.get('a@2')!.open();
    await pipeline.drain(1000);
  });

  it('commits a partition only up to the first offset not handled yet, one request for every partition that moved', async () => {
    const gates = new Map<string, ReturnType<typeof gate>>();
    const { pipeline, commits } = pipelineWith(async (t, p, m) => {
      const g = gate();
      gates.set(`${t}${p}:${m.offset}`, g);
      await g.promise;
    });
    await pipeline.accept('t', 0, [msg(10, 'a'), msg(11, 'b'), msg(12, 'c')]);
    await pipeline.accept('t', 1, [msg(5, 'd')]);
    await tick();
    gates.get('t0:11')!.open();
    gates.get('t0:12')!.open();
    await new Promise((r) => setTimeout(r, 20));
    expect(commits).toEqual([]); // 10 is still running: nothing of partition 0 may be committed
    gates.get('t1:5')!.open();
    gates.get('t0:10')!.open();
    await new Promise((r) => setTimeout(r, 20));
    expect(commits).toEqual([
      [
        { topic: 't', partition: 0, offset: '13' },
        { topic: 't', partition: 1, offset: '6' },
      ],
    ]);
    await pipeline.drain(1000);
    expect(commits).toHaveLength(1); // nothing moved since
  });

  it('handles a failed message again before anything behind it on its key, and commits it only once handled', async () => {
    const seen: string[] = [];
    let failures = 2;
    const { pipeline, commits, errors } = pipelineWith(async (_t, _p, m) => {
      seen.push(m.value!.toString());
      if (m.offset === '0' && failures-- > 0) throw new Error('database unavailable');
    });
    await pipeline.accept('t', 0, [msg(0, 'a'), msg(1, 'a')]);
    while (pipeline.running) await new Promise((r) => setTimeout(r, 2));
    await pipeline.drain(1000);
    expect(seen).toEqual(['a@0', 'a@0', 'a@0', 'a@1']);
    expect(errors).toHaveLength(2);
    expect(commits.flat().pop()).toEqual({ topic: 't', partition: 0, offset: '2' });
  });

  it('makes the fetch loop wait while maxInFlight messages are running', async () => {
    const g = gate();
    const { pipeline } = pipelineWith(() => g.promise, { maxInFlight: 2 });
    let accepted = false;
    const accepting = pipeline.accept('t', 0, [msg(0, 'a'), msg(1, 'b')]).then(() => (accepted = true));
    await tick();
    expect(accepted).toBe(false);
    expect(pipeline.running).toBe(2);
    g.open();
    await accepting;
    expect(pipeline.running).toBe(0);
  });

  it('does not commit what a previous consumer-group generation handed over', async () => {
    const g = gate();
    const { pipeline, commits } = pipelineWith(() => g.promise);
    await pipeline.accept('t', 0, [msg(0, 'a')]);
    pipeline.newGeneration();
    g.open();
    await pipeline.drain(1000);
    expect(commits).toEqual([]);
  });

  it('on drain stops taking messages, waits for those running and commits them', async () => {
    const g = gate();
    const handled: string[] = [];
    const { pipeline, commits } = pipelineWith(async (_t, _p, m) => {
      await g.promise;
      handled.push(m.value!.toString());
    });
    await pipeline.accept('t', 0, [msg(0, 'a')]);
    const draining = pipeline.drain(1000);
    await pipeline.accept('t', 0, [msg(1, 'b')]); // arrives while closing: left for the next consumer
    g.open();
    await draining;
    expect(handled).toEqual(['a@0']);
    expect(commits).toEqual([[{ topic: 't', partition: 0, offset: '1' }]]);
  });

  it('when it closes, leaves a message that keeps failing, and what waits behind it on its key, uncommitted and unhandled', async () => {
    const handled: string[] = [];
    const { pipeline, commits } = pipelineWith(
      async (_t, _p, m) => {
        if (m.offset === '0') throw new Error('down');
        handled.push(m.value!.toString());
      },
      { retryDelayMs: () => 20 },
    );
    await pipeline.accept('t', 0, [msg(0, 'a'), msg(1, 'a')]);
    await tick();
    await pipeline.drain(1000);
    await new Promise((r) => setTimeout(r, 40));
    expect(handled).toEqual([]);
    expect(commits).toEqual([]);
    expect(pipeline.running).toBe(0);
  });
});
