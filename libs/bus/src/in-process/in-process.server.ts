import { CustomTransportStrategy, Server } from '@nestjs/microservices';
import { isObservable, lastValueFrom } from 'rxjs';
import { Delivery, InProcessBroker } from './in-process.broker';

/** Context handed to handlers on the in-process transport (the counterpart of `KafkaContext`). */
export class InProcessContext {
  constructor(readonly topic: string, readonly key: string) {}
}

/**
 * The @nestjs/microservices strategy for the in-process bus: the same `@EventPattern` and
 * `@MessagePattern` handlers that serve Kafka serve this. Handler errors propagate to the broker so it
 * can retry (events) or fail the request.
 */
export class InProcessServer extends Server implements CustomTransportStrategy {
  constructor(private readonly broker: InProcessBroker) {
    super();
  }

  listen(callback: () => void): void {
    this.broker.attach((d) => this.dispatch(d));
    callback();
  }

  async close(): Promise<void> {
    await this.broker.detach();
  }

  on(): never {
    throw new Error('the in-process transport has no status events');
  }

  unwrap<T>(): T {
    return this.broker as T;
  }

  private async dispatch(d: Delivery): Promise<void> {
    const handler = this.getHandlerByPattern(d.topic);
    const ctx = new InProcessContext(d.topic, d.key);
    if (!handler) {
      if (d.reply) d.reply.reject(new Error(`no handler for ${d.topic}`));
      return;
    }
    const result = await handler(d.value, ctx);
    const value = isObservable(result) ? await lastValueFrom(result, { defaultValue: undefined }) : result;
    d.reply?.resolve(value);
  }
}
