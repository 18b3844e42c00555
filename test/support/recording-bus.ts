import { BusMessage, MessageBus } from '@app/bus';

/** A bus that records what is published (for tests of code above the bus port). */
export class RecordingBus extends MessageBus {
  readonly published: BusMessage[] = [];
  readonly requestTimeoutMs = 1000;
  /** While true, every publish fails as if the broker were down. */
  brokerDown = false;

  async publish(messages: readonly BusMessage[]): Promise<void> {
    if (this.brokerDown) throw new Error('broker unavailable (simulated)');
    this.published.push(...messages);
  }

  request<TReply>(): Promise<TReply> {
    return Promise.reject(new Error('RecordingBus does not answer requests'));
  }

  ofTopic<T>(topic: string): T[] {
    return this.published.filter((m) => m.topic === topic).map((m) => m.value as T);
  }
}
