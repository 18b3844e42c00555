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

  async publish(messages: readonly BusMessage[]): Promise<void> {
    messages.forEach(assertWireValue);
    for (const m of messages) this.broker.enqueue({ topic: m.topic, key: m.key, value: wireCopy(m.value) });
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
