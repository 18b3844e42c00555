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

  /**
   * Starts listening for the queue now, before the caller looks at it, so a notification that lands between
   * the look and the wait is not missed. `wait(ms)` resolves true once notified (at once if it already
   * was), false when `ms` pass first; `cancel()` stops listening.
   */
  arm(queueName: string): { wait(ms: number): Promise<boolean>; cancel(): void } {
    let notified = false;
    let resolveWait: ((woken: boolean) => void) | null = null;
    let timer: NodeJS.Timeout | null = null;
    let set = this.waiting.get(queueName);
    if (!set) this.waiting.set(queueName, (set = new Set()));
    const listeners = set;
    const cancel = () => {
      if (timer) clearTimeout(timer);
      listeners.delete(wake);
      if (!listeners.size && this.waiting.get(queueName) === listeners) this.waiting.delete(queueName);
    };
    const wake = () => {
      notified = true;
      if (resolveWait) {
        cancel();
        resolveWait(true);
      }
    };
    listeners.add(wake);
    return {
      wait: (ms: number) =>
        new Promise<boolean>((resolve) => {
          if (notified) {
            cancel();
            return resolve(true);
          }
          resolveWait = resolve;
          timer = setTimeout(() => {
            cancel();
            resolve(false);
          }, ms);
        }),
      cancel,
    };
  }

  /** Resolves true when the queue was notified, false when `ms` passed first. */
  wait(queueName: string, ms: number): Promise<boolean> {
    return this.arm(queueName).wait(ms);
  }

  private wake(queueName: string): void {
    for (const wake of [...(this.waiting.get(queueName) ?? [])]) wake();
  }
}
