/**
 * A message on the bus. `key` decides the partition (and so the order and the owner): a workflowId.
 * `value` is a JSON object: both adapters carry objects identically (Kafka's transport would hand a bare
 * string or number back as text), so anything else is refused at the port.
 */
export interface BusMessage<T = unknown> {
  readonly topic: string;
  readonly key: string;
  readonly value: T;
  /** Kafka record headers (the in-process bus has none to carry; its consumers read the value). */
  readonly headers?: Readonly<Record<string, string>>;
}

export interface RequestOptions {
  readonly timeoutMs?: number;
}

/**
 * The bus port. Two adapters: Kafka (distributed) and an in-process transport with the same semantics
 * (per-key order, at-least-once). Handlers are ordinary @nestjs/microservices `@EventPattern` /
 * `@MessagePattern` methods and run unchanged on either.
 */
export abstract class MessageBus {
  /** How long `request` waits for a reply unless told otherwise. */
  abstract readonly requestTimeoutMs: number;

  /** Resolves once the messages are durable (the broker acknowledged them). */
  abstract publish(messages: readonly BusMessage[]): Promise<void>;

  /** Sends a command to the owner of `key` and resolves with its reply (after the owner committed). */
  abstract request<TReply>(message: BusMessage, options?: RequestOptions): Promise<TReply>;

  /**
   * Makes sure topics named at run time exist (a KAFKA-delivered task type's topic), as the ones known at
   * boot were provisioned: Kafka may not create topics on its own. Idempotent; the in-process transport
   * needs nothing (a topic is a lane name).
   */
  async ensureTopics(_topics: readonly string[]): Promise<void> {}
}

/** Refuses a value the bus cannot carry identically on both adapters. */
export function assertWireValue(message: BusMessage): void {
  const v = message.value;
  if (v === null || typeof v !== 'object') {
    throw new TypeError(`a message on ${message.topic} must carry a JSON object, not ${v === null ? 'null' : typeof v}`);
  }
}

/** The request timed out or the broker is unreachable: the caller may retry. */
export class BusUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'BusUnavailableError';
  }
}

/**
 * How long a command's owner may still act on it: a fifth less than the requester waits, so a command acted
 * on just in time is answered before the requester gives up.
 */
export const ownerDeadlineMs = (bus: Pick<MessageBus, 'requestTimeoutMs'>): number => Math.floor(bus.requestTimeoutMs * 0.8);
