/**
 * When the dispatcher looks at each queue next (epoch ms): the earliest time asked for wins, and the queue
 * due first is taken first. A queue taken is forgotten until something asks for it again (a notification,
 * the next ready row, the end of a rate window), so an idle queue costs nothing.
 */
export class DueQueues {
  private readonly dueAt = new Map<string, number>();

  /** Looks at the queue by `at`; true when that is sooner than it was due (or it was not due at all). */
  schedule(queueName: string, at: number): boolean {
    const current = this.dueAt.get(queueName);
    if (current !== undefined && current <= at) return false;
    this.dueAt.set(queueName, at);
    return true;
  }

  /** The queue due first, if it is due by `now`, taken off the schedule. */
  takeDue(now: number): string | undefined {
    let first: string | undefined;
    let firstAt = Number.POSITIVE_INFINITY;
    for (const [queueName, at] of this.dueAt) {
      if (at <= now && at < firstAt) [first, firstAt] = [queueName, at];
    }
    if (first !== undefined) this.dueAt.delete(first);
    return first;
  }

  /** When the next queue is due, if any is. */
  nextAt(): number | undefined {
    let next: number | undefined;
    for (const at of this.dueAt.values()) if (next === undefined || at < next) next = at;
    return next;
  }
}
