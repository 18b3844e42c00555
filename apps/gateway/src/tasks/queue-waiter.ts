import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { PgNotificationHub, TASK_QUEUE_CHANNEL } from '@app/persistence';

/**
 * Long-poll support: a poller with nothing to take waits here until the queue it polls is notified, or
 * its time runs out — no sleeping and re-querying.
 */
@Injectable()
export class QueueWaiter implements OnModuleInit {
  private readonly waiting = new Map<string, Set<() => void>>();

  constructor(@Inject(PgNotificationHub) private readonly hub: PgNotificationHub) {}

  async onModuleInit(): Promise<void> {
    await this.hub.subscribe(TASK_QUEUE_CHANNEL, (queueName) => this.wake(queueName));
    // After a reconnect notifications may have been missed: let every waiter look again.
    this.hub.onReconnect(() => [...this.waiting.keys()].forEach((q) => this.wake(q)));
  }

  /** Resolves true when the queue was notified, false when `ms` passed first. */
  wait(queueName: string, ms: number): Promise<boolean> {
    return new Promise((resolve) => {
      let set = this.waiting.get(queueName);
      if (!set) this.waiting.set(queueName, (set = new Set()));
      const done = (woken: boolean) => {
        clearTimeout(timer);
        set!.delete(wake);
        if (!set!.size) this.waiting.delete(queueName);
        resolve(woken);
      };
      const wake = () => done(true);
      const timer = setTimeout(() => done(false), ms);
      set.add(wake);
    });
  }

  private wake(queueName: string): void {
    for (const wake of [...(this.waiting.get(queueName) ?? [])]) wake();
  }
}
