import { Logger } from '@nestjs/common';
import { setImmediate as nextMacrotask, setTimeout as delay } from 'node:timers/promises';
import { v4 as uuidv4 } from 'uuid';
import { BusUnavailableError } from '../message-bus';
import { Delivery, DeliveryHandler, InProcessBroker, laneOf } from './in-process.broker';
import { InProcessMessageBus } from './in-process.bus';

// ---------------------------------------------------------------------------------------------------------
// Builders and helpers
// ---------------------------------------------------------------------------------------------------------

/** mulberry32: a seeded PRNG, so a failing burst replays identically. */
function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A promise a test resolves when it chooses: holds a handler, or signals that something happened. */
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** The first key `<prefix>-<n>` that hashes to `lane`. */
function keyInLane(lane: number, lanes: number, prefix: string): string {
  for (let n = 0; ; n++) {
    const key = `${prefix}-${n}`;
    if (laneOf(key, lanes) === lane) return key;
  }
}

const anEvent = (key: string, value: unknown, topic = 't.events'): Delivery => ({ topic, key, value });

/** A handler that records what it was handed, in order. */
function recordingHandler(): { handler: DeliveryHandler; seen: Delivery[] } {
  const seen: Delivery[] = [];
  return { seen, handler: async (d) => void seen.push(d) };
}

/** Mutes the broker's dead-letter log for a test and lets it assert on it. */
const captureErrorLog = () => jest.spyOn(Logger.prototype, 'error').mockImplementation(() => undefined);

afterEach(() => jest.restoreAllMocks());

// ---------------------------------------------------------------------------------------------------------

describe('InProcessBroker', () => {
  describe('ordering', () => {
    it('delivers every key in publish order, exactly once, under a burst of interleaved keys across lanes', async () => {
      // given 10 keys × 200 messages, interleaved in a (seeded) random order, over 4 lanes
      const LANES = 4;
      const KEYS = 10;
      const PER_KEY = 200;
      const random = seededRandom(0xba70);
      const keys = Array.from({ length: KEYS }, (_, i) => `wf-${i}`);
      expect(new Set(keys.map((k) => laneOf(k, LANES))).size).toBeGreaterThan(1);
      const next = new Map(keys.map((k) => [k, 0]));
      const burst: Delivery[] = [];
      while (burst.length < KEYS * PER_KEY) {
        const open = keys.filter((k) => next.get(k)! < PER_KEY);
        const key = open[Math.floor(random() * open.length)];
        // The handler's pause is drawn here, not in the handler, so a run replays identically.
        burst.push(anEvent(key, { seq: next.get(key)!, pause: random() }));
        next.set(key, next.get(key)! + 1);
      }

      // and a handler that takes a random small amount of asynchronous time
      const broker = new InProcessBroker({ lanes: LANES });
      const received = new Map<string, number[]>(keys.map((k) => [k, []]));
      const inFlightPerLane = new Array<number>(LANES).fill(0);
      let inFlight = 0;
      let maxInFlightInOneLane = 0;
      let maxInFlight = 0;
      broker.attach(async (d) => {
        const lane = laneOf(d.key, LANES);
        inFlightPerLane[lane]++;
        inFlight++;
        maxInFlightInOneLane = Math.max(maxInFlightInOneLane, inFlightPerLane[lane]);
        maxInFlight = Math.max(maxInFlight, inFlight);
        const { seq, pause } = d.value as { seq: number; pause: number };
        if (pause < 0.25) await Promise.resolve();
        else if (pause < 0.75) await nextMacrotask();
        else if (pause < 0.8) await delay(pause < 0.78 ? 1 : 2);
        received.get(d.key)!.push(seq);
        inFlightPerLane[lane]--;
        inFlight--;
      });

      // when the burst is published and the broker drains
      for (const d of burst) broker.enqueue(d);
      await broker.whenIdle();

      // then each key saw 0..199 in order, once each; a lane never ran two deliveries at once; lanes overlapped
      const expected = Array.from({ length: PER_KEY }, (_, i) => i);
      for (const key of keys) expect({ key, seqs: received.get(key) }).toEqual({ key, seqs: expected });
      expect(maxInFlightInOneLane).toBe(1);
      expect(maxInFlight).toBeGreaterThan(1);
    });

    it("lets another lane's key progress while a slow key holds its own lane", async () => {
      // given a slow key, a second key in the same lane and a key in another lane
      const LANES = 4;
      const slowKey = keyInLane(0, LANES, 'slow');
      const sameLaneKey = keyInLane(0, LANES, 'neighbour');
      const otherLaneKey = keyInLane(1, LANES, 'other');
      const broker = new InProcessBroker({ lanes: LANES });
      const slowRelease = deferred();
      const otherLaneDelivered = deferred();
      const order: string[] = [];
      broker.attach(async (d) => {
        if (d.key === slowKey) await slowRelease.promise;
        order.push(d.key);
        if (d.key === otherLaneKey) otherLaneDelivered.resolve();
      });

      // when the slow key's message is published first
      broker.enqueue(anEvent(slowKey, 1));
      broker.enqueue(anEvent(sameLaneKey, 2));
      broker.enqueue(anEvent(otherLaneKey, 3));

      // then the other lane is served while the slow one is still held, and its neighbour waits behind it
      await otherLaneDelivered.promise;
      expect(order).toEqual([otherLaneKey]);

      slowRelease.resolve();
      await broker.whenIdle();
      expect(order).toEqual([otherLaneKey, slowKey, sameLaneKey]);
    });

    it('keeps topics in separate lanes: a slow message on one topic does not hold up the same key on another', async () => {
      // given one lane per topic, and a held message for a workflow on the first topic
      const broker = new InProcessBroker({ lanes: 1 });
      const release = deferred();
      const otherTopicDelivered = deferred();
      const order: string[] = [];
      broker.attach(async (d) => {
        if (d.topic === 't.slow') await release.promise;
        order.push(`${d.topic}:${d.value}`);
        if (d.topic === 't.events') otherTopicDelivered.resolve();
      });

      // when the same workflow then gets a message on a second topic, and another on the first
      broker.enqueue(anEvent('wf-a', 1, 't.slow'));
      broker.enqueue(anEvent('wf-a', 2, 't.events'));
      broker.enqueue(anEvent('wf-a', 3, 't.slow'));

      // then the second topic is served meanwhile (as separate Kafka topics would be), the first stays in order
      await otherTopicDelivered.promise;
      expect(order).toEqual(['t.events:2']);
      release.resolve();
      await broker.whenIdle();
      expect(order).toEqual(['t.events:2', 't.slow:1', 't.slow:3']);
    });

    it('holds messages published before a handler is attached and delivers them in order once it is', async () => {
      // given messages published to a broker with no consumer yet
      const broker = new InProcessBroker({ lanes: 2 });
      broker.enqueue(anEvent('wf-a', 1));
      broker.enqueue(anEvent('wf-a', 2));
      broker.enqueue(anEvent('wf-b', 3));

      // when a handler attaches
      const { handler, seen } = recordingHandler();
      broker.attach(handler);
      await broker.whenIdle();

      // then it gets them all, each key in order
      expect(seen.filter((d) => d.key === 'wf-a').map((d) => d.value)).toEqual([1, 2]);
      expect(seen.filter((d) => d.key === 'wf-b').map((d) => d.value)).toEqual([3]);
    });

    it('never runs the consumer synchronously inside publish', async () => {
      // given an attached handler
      const broker = new InProcessBroker({ lanes: 1 });
      const { handler, seen } = recordingHandler();
      broker.attach(handler);

      // when a message is published
      broker.enqueue(anEvent('wf-a', 1));

      // then nothing has been delivered yet on this tick
      expect(seen).toEqual([]);
      await broker.whenIdle();
      expect(seen).toHaveLength(1);
    });
  });

  describe('failures', () => {
    it('redelivers a failing event until it succeeds, and its lane does not move on meanwhile (at-least-once, order kept)', async () => {
      // given a handler that fails the first message twice, and more messages behind it in the same lane
      const broker = new InProcessBroker({ lanes: 1, maxAttempts: 5 });
      let failuresLeft = 2;
      const attempts: string[] = [];
      const processed: string[] = [];
      broker.attach(async (d) => {
        const label = `${d.key}:${d.value}`;
        attempts.push(label);
        if (label === 'wf-a:1' && failuresLeft-- > 0) throw new Error('transient');
        processed.push(label);
      });

      // when they are published
      broker.enqueue(anEvent('wf-a', 1));
      broker.enqueue(anEvent('wf-a', 2));
      broker.enqueue(anEvent('wf-b', 1));
      await broker.whenIdle();

      // then the first was tried three times before anything behind it ran
      expect(attempts).toEqual(['wf-a:1', 'wf-a:1', 'wf-a:1', 'wf-a:2', 'wf-b:1']);
      expect(processed).toEqual(['wf-a:1', 'wf-a:2', 'wf-b:1']);
    });

    it('drops an event that keeps failing after maxAttempts, logs it, and the lane carries on', async () => {
      // given a poison message followed by a good one in the same lane
      const errorLog = captureErrorLog();
      const broker = new InProcessBroker({ lanes: 1, maxAttempts: 3 });
      const attempts: unknown[] = [];
      const processed: unknown[] = [];
      broker.attach(async (d) => {
        attempts.push(d.value);
        if (d.value === 'poison') throw new Error('cannot parse');
        processed.push(d.value);
      });

      // when both are published
      broker.enqueue(anEvent('wf-a', 'poison'));
      broker.enqueue(anEvent('wf-a', 'good'));
      await broker.whenIdle();

      // then the poison message was tried exactly maxAttempts times, dead-lettered to the log, and the next one ran
      expect(attempts).toEqual(['poison', 'poison', 'poison', 'good']);
      expect(processed).toEqual(['good']);
      expect(errorLog).toHaveBeenCalledTimes(1);
      expect(errorLog.mock.calls[0][0]).toMatch(/dropping t\.events message for key wf-a after 3 attempts: cannot parse/);
    });
  });

  describe('requests (through InProcessMessageBus)', () => {
    /** What an InProcessServer does: run the handler and send its result back on the delivery's reply. */
    const answering =
      (answer: (value: unknown) => Promise<unknown>): DeliveryHandler =>
      async (d) => {
        const result = await answer(d.value);
        d.reply?.resolve(result);
      };

    it("resolves with the handler's result, as a copy", async () => {
      // given a handler that answers with what it was asked plus a marker
      const broker = new InProcessBroker({ lanes: 2 });
      const bus = new InProcessMessageBus(broker, 1000);
      const answer = { ok: true, result: { n: 0 } };
      broker.attach(
        answering(async (v) => {
          answer.result.n = (v as { n: number }).n + 1;
          return answer;
        }),
      );

      // when a request is sent
      const reply = await bus.request<typeof answer>({ topic: 't.commands', key: 'wf-a', value: { n: 41 } });

      // then the reply carries the result, detached from the handler's object
      expect(reply).toEqual({ ok: true, result: { n: 42 } });
      expect(reply).not.toBe(answer);
    });

    it('rejects with the error of a throwing handler, without retrying it, and the lane carries on', async () => {
      // given a handler that throws for one command
      const broker = new InProcessBroker({ lanes: 1, maxAttempts: 5 });
      const bus = new InProcessMessageBus(broker, 1000);
      const calls: unknown[] = [];
      broker.attach(
        answering(async (v) => {
          calls.push(v);
          if ((v as { op?: string }).op === 'explode') throw new Error('handler blew up');
          return 'done';
        }),
      );

      // when it is requested, followed by another request in the same lane
      const failing = bus.request({ topic: 't.commands', key: 'wf-a', value: { op: 'explode' } });
      const following = bus.request({ topic: 't.commands', key: 'wf-a', value: { op: 'fine' } });

      // then the first rejects with that error after a single attempt, and the next is answered
      await expect(failing).rejects.toThrow('handler blew up');
      await expect(following).resolves.toBe('done');
      expect(calls).toEqual([{ op: 'explode' }, { op: 'fine' }]);
    });

    it('refuses a value that is not a JSON object, as Kafka could not carry it identically', async () => {
      const bus = new InProcessMessageBus(new InProcessBroker({ lanes: 1 }), 1000);

      expect(() => bus.request({ topic: 't.commands', key: 'k', value: 'text' })).toThrow(/must carry a JSON object, not string/);
      await expect(bus.publish([{ topic: 't.events', key: 'k', value: null }])).rejects.toThrow(/not null/);
    });

    it('rejects with BusUnavailableError when no reply comes within the timeout', async () => {
      // given a handler that holds the request
      const broker = new InProcessBroker({ lanes: 1 });
      const bus = new InProcessMessageBus(broker, 60_000);
      const release = deferred();
      broker.attach(
        answering(async () => {
          await release.promise;
          return 'too late';
        }),
      );

      // when a request with a short timeout is sent
      const reply = bus.request({ topic: 't.commands', key: 'wf-a', value: { n: 1 } }, { timeoutMs: 30 });

      // then it fails as "unavailable", which the caller may retry
      await expect(reply).rejects.toBeInstanceOf(BusUnavailableError);
      await expect(reply).rejects.toThrow('no reply on t.commands within 30 ms');
      release.resolve();
      await broker.whenIdle();
    });
  });

  describe('laneOf', () => {
    it('is 32-bit FNV-1a, so a key maps to the same lane in every process and after every restart', () => {
      // Published FNV-1a test vectors; with 2^32 lanes the lane is the hash itself.
      expect(laneOf('', 2 ** 32)).toBe(0x811c9dc5);
      expect(laneOf('a', 2 ** 32)).toBe(0xe40c292c);
      expect(laneOf('foobar', 2 ** 32)).toBe(0xbf9cf968);
      expect(laneOf('foobar', 16)).toBe(0xbf9cf968 % 16);
    });

    it('spreads uuids evenly across lanes', () => {
      // given 16,000 (seeded) v4 uuids and 16 lanes
      const random = seededRandom(7);
      const randomBytes = () => Uint8Array.from({ length: 16 }, () => Math.floor(random() * 256));
      const LANES = 16;
      const counts = new Map<number, number>();

      // when each is assigned a lane
      for (let i = 0; i < 16_000; i++) {
        const lane = laneOf(uuidv4({ random: randomBytes() }), LANES);
        counts.set(lane, (counts.get(lane) ?? 0) + 1);
      }

      // then only lanes 0..15 are used, each within 10% of its fair share (1,000; one standard deviation is about 31)
      expect([...counts.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: LANES }, (_, i) => i));
      for (const count of counts.values()) {
        expect(count).toBeGreaterThan(900);
        expect(count).toBeLessThan(1100);
      }
    });
  });

  describe('whenIdle', () => {
    it('resolves at once when nothing is in flight', async () => {
      const broker = new InProcessBroker({ lanes: 2 });
      broker.attach(recordingHandler().handler);

      await expect(broker.whenIdle()).resolves.toBeUndefined();
    });

    it('resolves only after every lane has drained', async () => {
      // given a held message in lane 0 and a quick burst in lane 1
      const LANES = 2;
      const heldKey = keyInLane(0, LANES, 'held');
      const quickKey = keyInLane(1, LANES, 'quick');
      const broker = new InProcessBroker({ lanes: LANES });
      const release = deferred();
      const quickDone = deferred();
      const processed: string[] = [];
      broker.attach(async (d) => {
        if (d.key === heldKey) await release.promise;
        processed.push(`${d.key}:${d.value}`);
        if (d.key === quickKey && d.value === 3) quickDone.resolve();
      });
      broker.enqueue(anEvent(heldKey, 1));
      for (const n of [1, 2, 3]) broker.enqueue(anEvent(quickKey, n));

      // when someone waits for idle
      let idle = false;
      const whenIdle = broker.whenIdle().then(() => (idle = true));

      // then draining one lane is not enough
      await quickDone.promise;
      await nextMacrotask();
      expect(idle).toBe(false);

      // and once the held lane drains it resolves, with everything processed
      release.resolve();
      await whenIdle;
      expect(processed).toEqual(expect.arrayContaining([`${heldKey}:1`, `${quickKey}:1`, `${quickKey}:2`, `${quickKey}:3`]));
      expect(processed).toHaveLength(4);
    });
  });

  describe('detach', () => {
    it('waits for the delivery in flight, then refuses new messages', async () => {
      // given a delivery in flight
      const broker = new InProcessBroker({ lanes: 1 });
      const started = deferred();
      const release = deferred();
      let finished = false;
      broker.attach(async () => {
        started.resolve();
        await release.promise;
        finished = true;
      });
      broker.enqueue(anEvent('wf-a', 1));
      await started.promise;

      // when the broker is detached
      let detached = false;
      const detaching = broker.detach().then(() => (detached = true));
      await nextMacrotask();

      // then it waits for the handler to finish
      expect(detached).toBe(false);
      release.resolve();
      await detaching;
      expect(finished).toBe(true);

      // and publishing afterwards fails loudly
      expect(() => broker.enqueue(anEvent('wf-a', 2))).toThrow('the in-process bus is closed');
    });
  });
});

describe('InProcessBroker shutdown', () => {
  it('delivers what is already queued before it stops, and refuses new messages meanwhile', async () => {
    const broker = new InProcessBroker({ lanes: 2 });
    const delivered: unknown[] = [];
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    broker.attach(async (d) => {
      await gate;
      delivered.push(d.value);
    });
    for (let i = 0; i < 5; i++) broker.enqueue({ topic: 't', key: `k${i}`, value: { i } });

    const stopped = broker.detach();
    expect(() => broker.enqueue({ topic: 't', key: 'late', value: {} })).toThrow(/closed/);
    release();
    await stopped;

    expect(delivered).toHaveLength(5);
  });

  it('retries a failing event until it succeeds when no attempt limit is set (as Kafka redelivers)', async () => {
    const broker = new InProcessBroker({ lanes: 1 });
    let calls = 0;
    broker.attach(async () => {
      if (++calls < 4) throw new Error('database briefly down');
    });
    broker.enqueue({ topic: 't', key: 'k', value: {} });
    await broker.whenIdle();
    await new Promise((r) => setImmediate(r));
    await broker.whenIdle();
    expect(calls).toBe(4);
  }, 20_000);
});

describe('InProcessMessageBus.publish', () => {
  it('resolves only once a handler took each message (there is no broker to keep it), retries included', async () => {
    const broker = new InProcessBroker({ lanes: 4 });
    const bus = new InProcessMessageBus(broker, 1000);
    const handled: string[] = [];
    let failures = 1;
    broker.attach(async (d) => {
      await delay(20);
      if ((d.value as { id: string }).id === 'flaky' && failures-- > 0) throw new Error('transient');
      handled.push((d.value as { id: string }).id);
    });
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);

    const published = bus.publish([
      { topic: 't', key: 'a', value: { id: 'first' } },
      { topic: 't', key: 'b', value: { id: 'flaky' } },
    ]);
    let settled = false;
    void published.then(() => (settled = true));
    await nextMacrotask();
    expect(settled).toBe(false);

    await published;
    expect(handled.sort()).toEqual(['first', 'flaky']);
    await broker.detach();
  });
});

describe('InProcessBroker.subscribe (a topic consumed in the process, as a Kafka consumer of it would)', () => {
  it("takes its topic's messages in per-key order, retries a failing one first, and leaves the other topics to the server", async () => {
    const broker = new InProcessBroker({ lanes: 2 });
    const bus = new InProcessMessageBus(broker, 1000);
    const server = recordingHandler();
    broker.attach(server.handler);
    const seen: Array<{ key: string; n: number }> = [];
    let failures = 1;
    jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
    broker.subscribe('worker.tasks', ({ key, value }) => {
      const n = (value as { n: number }).n;
      if (n === 2 && failures-- > 0) throw new Error('transient');
      seen.push({ key, n });
    });

    await bus.publish([
      { topic: 'worker.tasks', key: 'a', value: { n: 1 } },
      { topic: 'worker.tasks', key: 'a', value: { n: 2 } },
      { topic: 'worker.tasks', key: 'a', value: { n: 3 } },
      { topic: 'other', key: 'a', value: { n: 4 } },
    ]);

    expect(seen).toEqual([
      { key: 'a', n: 1 },
      { key: 'a', n: 2 },
      { key: 'a', n: 3 },
    ]);
    expect(server.seen.map((d) => d.topic)).toEqual(['other']);
    await broker.detach();
  });

  it('delivers what waited for a consumer once one subscribes, and hands the topic back to the server on unsubscribe', async () => {
    const broker = new InProcessBroker({ lanes: 2 });
    const bus = new InProcessMessageBus(broker, 1000);
    const seen: unknown[] = [];
    const waiting = bus.publish([{ topic: 'worker.tasks', key: 'k', value: { n: 1 } }]);
    await nextMacrotask();

    const unsubscribe = broker.subscribe('worker.tasks', ({ value }) => void seen.push(value));
    await waiting;
    expect(seen).toEqual([{ n: 1 }]);
    expect(() => broker.subscribe('worker.tasks', () => undefined)).toThrow(/already has an in-process subscriber/);

    unsubscribe();
    const server = recordingHandler();
    broker.attach(server.handler);
    await bus.publish([{ topic: 'worker.tasks', key: 'k', value: { n: 2 } }]);
    expect(server.seen.map((d) => d.value)).toEqual([{ n: 2 }]);
    expect(seen).toEqual([{ n: 1 }]);
    await broker.detach();
  });
});
