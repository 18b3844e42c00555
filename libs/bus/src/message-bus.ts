/** A message on the bus. `key` decides the partition (and so the order and the owner): a workflowId. */
export interface BusMessage<T = unknown> {
  readonly topic: string;
  readonly key: string;
  readonly value: T;
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
  /** Resolves once the messages are durable (the broker acknowledged them). */
  abstract publish(messages: readonly BusMessage[]): Promise<void>;

  /** Sends a command to the owner of `key` and resolves with its reply (after the owner committed). */
  abstract request<TReply>(message: BusMessage, options?: RequestOptions): Promise<TReply>;
}

/** The request timed out or the broker is unreachable: the caller may retry. */
export class BusUnavailableError extends Error {
  constructor(message: string, override readonly cause?: unknown) {
    super(message);
    this.name = 'BusUnavailableError';
  }
}
