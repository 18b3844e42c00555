import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import { NotificationChannel } from '@app/contracts';
import { PgNotificationHub } from '@app/persistence';

/** What a synchronous caller holds while it waits on some workflows. */
export interface Watch {
  /** Watches one more workflow (a child that turned out to matter). */
  add(workflowId: string): void;
  /** Resolves true once a watched workflow changed since the last wait (at once if one already did), false after `ms` or at cancel. */
  wait(ms: number): Promise<boolean>;
  /** Stops watching; a wait still pending resolves false. */
  cancel(): void;
}

/**
 * Synchronous execution support (`execute`, `…/signal/sync`): a caller waits here until a workflow it
 * watches changes, or its time runs out — no sleeping and re-reading. The executor notifies every change
 * of a watched workflow (NotificationChannel.WorkflowChanges, delivered at its commit), so a caller that
 * armed its watch before reading the workflow cannot miss the change that answers it.
 */
@Injectable()
export class WorkflowWatcher implements OnModuleInit {
  private readonly watching = new Map<string, Set<() => void>>();

  constructor(@Inject(PgNotificationHub) private readonly hub: PgNotificationHub) {}

  async onModuleInit(): Promise<void> {
    await this.hub.subscribe(NotificationChannel.WorkflowChanges, (workflowId) => this.watching.get(workflowId)?.forEach((wake) => wake()));
    // After a reconnect notifications may have been missed: every caller looks again.
    this.hub.onReconnect(() => this.watching.forEach((set) => set.forEach((wake) => wake())));
  }

  /** Starts watching now, before the caller reads what it waits on. */
  arm(...workflowIds: string[]): Watch {
    let changed = false;
    let resolveWait: ((changed: boolean) => void) | null = null;
    let timer: NodeJS.Timeout | null = null;
    const ids = new Set<string>();
    const wake = () => {
      changed = true;
      if (!resolveWait) return;
      const resolve = resolveWait;
      resolveWait = null;
      if (timer) clearTimeout(timer);
      resolve(true);
    };
    const add = (id: string) => {
      if (ids.has(id)) return;
      ids.add(id);
      let set = this.watching.get(id);
      if (!set) this.watching.set(id, (set = new Set()));
      set.add(wake);
    };
    workflowIds.forEach(add);
    return {
      add,
      wait: (ms) => {
        if (changed) {
          changed = false;
          return Promise.resolve(true);
        }
        return new Promise<boolean>((resolve) => {
          resolveWait = (v) => {
            changed = false;
            resolve(v);
          };
          timer = setTimeout(() => {
            resolveWait = null;
            resolve(false);
          }, Math.max(0, ms));
        });
      },
      cancel: () => {
        if (timer) clearTimeout(timer);
        const pending = resolveWait;
        resolveWait = null;
        pending?.(false);
        for (const id of ids) {
          const set = this.watching.get(id);
          set?.delete(wake);
          if (set && !set.size) this.watching.delete(id);
        }
      },
    };
  }
}
