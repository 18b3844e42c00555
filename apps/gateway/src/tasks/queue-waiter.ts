import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { NotificationChannel } from '@app/contracts';
import { PgNotificationHub } from '@app/persistence';

interface Waiter {
  readonly wake: () => void;
}

/**
 * Long-poll support: a poller with nothing to take waits here until the queue it polls is notified, or
 * its time runs out — no sleeping and re-querying. A notification (`<n>:<queue>`) names how many tasks can
 * now be handed out — tasks pushed, plus slots freed by leases that counted against their definition's
 * limits — and wakes that many waiters (longest waiting first), not all of them: the rest would only find
 * nothing to take.
 */
@Injectable()
export class QueueWaiter implements OnModuleInit {
  /** Waiters per queue, in arrival order (a Set keeps insertion order). */
  private readonly waiting = new Map<string, Set<Waiter>>();

  constructor(@Inject(PgNotificationHub) private readonly hub: PgNotificationHub) {}

  async onModuleInit(): Promise<void> {
    await this.hub.subscribe(NotificationChannel.TaskQueue, (payload) => {
      const sep = payload.indexOf(':');
      const count = Number(payload.slice(0, sep));
      this.wake(payload.slice(sep + 1), Number.isInteger(count) && count > 0 ? count : Number.POSITIVE_INFINITY);
    });
    // After a reconnect notifications may have been missed: let every waiter look again.
    this.hub.onReconnect(() => [...this.waiting.keys()].forEach((q) => this.wake(q, Number.POSITIVE_INFINITY)));
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
      listeners.delete(self);
      if (!listeners.size && this.waiting.get(queueName) === listeners) this.waiting.delete(queueName);
    };
    const self: Waiter = {
      wake: () => {
        notified = true;
        // A woken waiter leaves the line: the next notification goes to the next one.
        listeners.delete(self);
        if (resolveWait) {
          cancel();
          resolveWait(true);
        }
      },
    };
    listeners.add(self);
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

  private wake(queueName: string, count: number): void {
    let left = count;
    for (const waiter of [...(this.waiting.get(queueName) ?? [])]) {
      if (left-- <= 0) break;
      waiter.wake();
    }
  }
}
