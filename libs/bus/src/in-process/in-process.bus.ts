import { assertWireValue, BusMessage, BusUnavailableError, MessageBus, RequestOptions } from '../message-bus';
import { InProcessBroker } from './in-process.broker';

/** The in-process adapter of the bus port. Values are cloned as they would be serialised on Kafka. */
export class InProcessMessageBus extends MessageBus {
  constructor(
    readonly broker: InProcessBroker,
    private readonly defaultTimeoutMs: number,
  ) {
    super();
  }

  get requestTimeoutMs(): number {
    return this.defaultTimeoutMs;
  }

  /**
   * Resolves once every message was handled: with no broker to keep them, a message is durable only when
   * its consumer took it. (A publisher that need not wait, like a best-effort notice, does not await.)
   */
  async publish(messages: readonly BusMessage[]): Promise<void> {
    messages.forEach(assertWireValue);
    await Promise.all(
      messages.map((m) => new Promise<void>((handled) => this.broker.enqueue({ topic: m.topic, key: m.key, value: wireCopy(m.value), handled }))),
    );
  }

  request<TReply>(message: BusMessage, options: RequestOptions = {}): Promise<TReply> {
    const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
    assertWireValue(message);
    return new Promise<TReply>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new BusUnavailableError(`no reply on ${message.topic} within ${timeoutMs} ms`)),
        timeoutMs,
      );
      this.broker.enqueue({
        topic: message.topic,
        key: message.key,
        value: wireCopy(message.value),
        reply: {
          resolve: (v) => {
            clearTimeout(timer);
            resolve(wireCopy(v) as TReply);
          },
          reject: (err) => {
            clearTimeout(timer);
            reject(err);
          },
        },
      });
    });
  }
}

/** JSON round trip: the handler gets what it would get from Kafka, never a shared mutable object. */
const wireCopy = (value: unknown): unknown => (value === undefined ? undefined : JSON.parse(JSON.stringify(value)));
