import { Controller, Logger, OnModuleDestroy } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { CallbackMessage, Topic } from '@app/contracts';

/** Attempts at one callback before it is given up (logged): about two minutes of backoff in all. */
export const CALLBACK_ATTEMPTS = 8;
/** One attempt's deadline. */
const CALLBACK_TIMEOUT_MS = 10_000;
const backoffMs = (attempt: number): number => Math.min(30_000, 500 * 2 ** (attempt - 1));

const isCallback = (m: unknown): m is CallbackMessage =>
  typeof m === 'object' && m !== null && typeof (m as CallbackMessage).url === 'string' && typeof (m as CallbackMessage).workflowId === 'string';

/**
 * POSTs ended workflows' callbacks (a Rill Flow submit's `callback`). The message is written with the
 * decision that ended the workflow, so a callback is never lost to a crash; it is sent at least once
 * (redelivered after a crash mid-send: receivers get `execution_id` to deduplicate by). A receiver that
 * answers non-2xx or not at all is tried again with backoff, up to CALLBACK_ATTEMPTS, then given up with
 * an error in the log — a dead receiver must not hold back the callbacks queued behind it.
 */
@Controller()
export class CallbackSender implements OnModuleDestroy {
  private readonly logger = new Logger(CallbackSender.name);
  private readonly stopping = new AbortController();

  onModuleDestroy(): void {
    this.stopping.abort();
  }

  @EventPattern(Topic.Callbacks)
  async handle(@Payload() message: unknown): Promise<void> {
    if (!isCallback(message)) return;
    for (let attempt = 1; attempt <= CALLBACK_ATTEMPTS; attempt++) {
      const outcome = await this.post(message);
      if (outcome === true) return;
      if (this.stopping.signal.aborted) throw new Error('stopping: the callback is left for redelivery');
      if (attempt === CALLBACK_ATTEMPTS) {
        this.logger.error(`callback of workflow ${message.workflowId} to ${message.url} given up after ${attempt} attempts: ${outcome}`);
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, backoffMs(attempt)));
    }
  }

  /** true once the receiver took it (2xx); else why not. */
  private async post(message: CallbackMessage): Promise<true | string> {
    try {
      const res = await fetch(message.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(message.body),
        signal: AbortSignal.any([AbortSignal.timeout(CALLBACK_TIMEOUT_MS), this.stopping.signal]),
      });
      await res.arrayBuffer().catch(() => undefined);
      return res.ok ? true : `HTTP ${res.status}`;
    } catch (err) {
      return (err as Error).message;
    }
  }
}
