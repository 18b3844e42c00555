import { Controller, INestApplication, Injectable } from '@nestjs/common';
import { Ctx, EventPattern, MessagePattern, Payload } from '@nestjs/microservices';
import { Test } from '@nestjs/testing';
import { CommandReply, replyOk } from '@app/contracts';
import { BusUnavailableError } from '../message-bus';
import { InProcessBroker } from './in-process.broker';
import { InProcessMessageBus } from './in-process.bus';
import { InProcessContext, InProcessServer } from './in-process.server';

// A tiny Nest microservice served by the in-process transport, driven through the bus port the way the
// gateway drives the executor: handlers are ordinary @EventPattern / @MessagePattern methods.

const EVENTS = 't.events';
const FLAKY_EVENTS = 't.flaky';
const COMMANDS = 't.commands';

type TestCommand = { type: 'echo'; body: unknown } | { type: 'explode' } | { type: 'hold' };

interface Received {
  readonly by: string;
  readonly payload: unknown;
  readonly ctx: InProcessContext;
}

/** What the handlers saw, and the knobs a test turns to make them misbehave. */
@Injectable()
class Inbox {
  readonly events: Received[] = [];
  readonly commands: unknown[] = [];
  flakyFailuresLeft = 0;
  flakyAttempts = 0;
  private releaseHeld!: () => void;
  readonly held = new Promise<void>((resolve) => (this.releaseHeld = resolve));
  private holdingNow!: () => void;
  /** Resolves once a `hold` command is being handled. */
  readonly holding = new Promise<void>((resolve) => (this.holdingNow = resolve));

  startedHolding(): void {
    this.holdingNow();
  }

  release(): void {
    this.releaseHeld();
  }
}

@Controller()
class ExecutionController {
  constructor(private readonly inbox: Inbox) {}

  @MessagePattern(COMMANDS)
  async handle(@Payload() command: TestCommand): Promise<CommandReply<unknown>> {
    this.inbox.commands.push(command);
    switch (command.type) {
      case 'echo':
        return replyOk({ echoed: command.body });
      case 'explode':
        throw new Error('handler blew up');
      case 'hold':
        this.inbox.startedHolding();
        await this.inbox.held;
        return replyOk('too late');
    }
  }

  @EventPattern(EVENTS)
  onEvent(@Payload() payload: unknown, @Ctx() ctx: InProcessContext): void {
    this.inbox.events.push({ by: 'execution', payload, ctx });
  }

  @EventPattern(FLAKY_EVENTS)
  onFlaky(): void {
    this.inbox.flakyAttempts++;
    if (this.inbox.flakyFailuresLeft-- > 0) throw new Error('transient');
  }
}

/** A second consumer of the same topic, in another controller (as the indexer and a worker would be). */
@Controller()
class AuditController {
  constructor(private readonly inbox: Inbox) {}

  @EventPattern(EVENTS)
  async onEvent(@Payload() payload: unknown, @Ctx() ctx: InProcessContext): Promise<void> {
    await Promise.resolve();
    this.inbox.events.push({ by: 'audit', payload, ctx });
  }
}

interface RunningApp {
  readonly app: INestApplication;
  readonly broker: InProcessBroker;
  readonly bus: InProcessMessageBus;
  readonly inbox: Inbox;
}

async function startApp(): Promise<RunningApp> {
  const broker = new InProcessBroker({ lanes: 4, maxAttempts: 5 });
  const moduleRef = await Test.createTestingModule({ controllers: [ExecutionController, AuditController], providers: [Inbox] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  app.connectMicroservice({ strategy: new InProcessServer(broker) });
  await app.startAllMicroservices();
  await app.init();
  return { app, broker, bus: new InProcessMessageBus(broker, 5_000), inbox: app.get(Inbox) };
}

describe('the in-process transport serving a Nest microservice', () => {
  let running: RunningApp;

  beforeEach(async () => {
    running = await startApp();
  });

  afterEach(async () => {
    running.inbox.release();
    await running.app.close();
  });

  describe('request / reply', () => {
    it("returns the @MessagePattern handler's reply", async () => {
      // when the gateway side sends a command
      const reply = await running.bus.request<CommandReply<unknown>>({
        topic: COMMANDS,
        key: 'wf-1',
        value: { type: 'echo', body: { input: [1, 2, 3] } },
      });

      // then it gets the handler's reply, after the handler saw the command once
      expect(reply).toEqual({ ok: true, result: { echoed: { input: [1, 2, 3] } } });
      expect(running.inbox.commands).toEqual([{ type: 'echo', body: { input: [1, 2, 3] } }]);
    });

    it('rejects a request on a topic nobody handles', async () => {
      await expect(running.bus.request({ topic: 't.nobody', key: 'wf-1', value: {} })).rejects.toThrow('no handler for t.nobody');
    });

    it('rejects a request whose handler throws, and does not redeliver it', async () => {
      // when the handler throws (Nest's RPC exception filter turns it into an error result)
      const reply = running.bus.request({ topic: COMMANDS, key: 'wf-1', value: { type: 'explode' } });

      // then the request fails, and the command was handled exactly once
      await expect(reply).rejects.toMatchObject({ status: 'error' });
      await running.broker.whenIdle();
      expect(running.inbox.commands).toEqual([{ type: 'explode' }]);
    });

    it('times out with BusUnavailableError when the handler never answers', async () => {
      // given a handler that holds the command
      const reply = running.bus.request({ topic: COMMANDS, key: 'wf-1', value: { type: 'hold' } }, { timeoutMs: 50 });
      await running.inbox.holding;

      // then the requester gives up with a retryable error
      await expect(reply).rejects.toBeInstanceOf(BusUnavailableError);
      await expect(reply).rejects.toThrow(`no reply on ${COMMANDS} within 50 ms`);
    });
  });

  describe('events', () => {
    it('hands the @EventPattern handler a JSON copy of the payload, with its key in the context', async () => {
      // given a payload with a Date and a nested object
      const published = { workflowId: 'wf-1', at: new Date('2024-05-01T12:00:00.000Z'), output: { items: ['a', 'b'] } };

      // when it is published and the publisher then changes its own object
      await running.bus.publish([{ topic: EVENTS, key: 'wf-1', value: published }]);
      published.output.items.push('mutated after publish');
      await running.broker.whenIdle();

      // then the handler got the payload as it was on the wire, not the publisher's object
      const seen = running.inbox.events.find((e) => e.by === 'execution')!;
      expect(seen.payload).toEqual({ workflowId: 'wf-1', at: '2024-05-01T12:00:00.000Z', output: { items: ['a', 'b'] } });
      expect(seen.payload).not.toBe(published);
      expect(seen.ctx).toBeInstanceOf(InProcessContext);
      expect(seen.ctx).toMatchObject({ topic: EVENTS, key: 'wf-1' });
    });

    it('delivers each event to every @EventPattern handler of its topic, across controllers, in order', async () => {
      // when three events for one workflow are published
      await running.bus.publish([1, 2, 3].map((n) => ({ topic: EVENTS, key: 'wf-1', value: { n } })));
      await running.broker.whenIdle();

      // then both controllers saw all three, in order
      const seenBy = (by: string) => running.inbox.events.filter((e) => e.by === by).map((e) => e.payload);
      expect(seenBy('execution')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
      expect(seenBy('audit')).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    });

    it('redelivers an event whose handler throws until it succeeds', async () => {
      // given a handler that fails twice
      running.inbox.flakyFailuresLeft = 2;

      // when an event is published
      await running.bus.publish([{ topic: FLAKY_EVENTS, key: 'wf-1', value: {} }]);
      await running.broker.whenIdle();

      // then it was attempted until it went through
      expect(running.inbox.flakyAttempts).toBe(3);
    });
  });
});
