import { Injectable } from '@nestjs/common';

/**
 * Tells the sweeper that a decision just set a timer, so a timer due sooner than its next look is not
 * fired late. In-process only: a timer set by another process is found by the sweeper's regular look.
 */
@Injectable()
export class TimerWakeup {
  private listener: ((dueAt: number) => void) | null = null;

  onDue(listener: (dueAt: number) => void): void {
    this.listener = listener;
  }

  dueAt(dueAt: number): void {
    this.listener?.(dueAt);
  }
}
