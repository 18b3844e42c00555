import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { isWorkerTaskReport, Topic } from '@app/contracts';
import { WorkerReportService } from './worker-report.service';

/**
 * Native workers report on the task-event topic (worker-protocol.ts), next to the engine's own lifecycle
 * events, which are the indexer's: this consumer takes the workers' reports and passes over the rest.
 */
@Controller()
export class WorkerReportsConsumer {
  constructor(private readonly reports: WorkerReportService) {}

  @EventPattern(Topic.WorkerTaskEvents)
  async handle(@Payload() message: unknown): Promise<void> {
    if (!isWorkerTaskReport(message)) return;
    await this.reports.apply(message);
  }
}
