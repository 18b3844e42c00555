import { Controller } from '@nestjs/common';
import { EventPattern, Payload } from '@nestjs/microservices';
import { ConductorEventMessage, Topic } from '@app/contracts';
import { EventProcessor } from './event-processor';

/** Messages on Conductor's internal event queues (what EVENT tasks publish), for the event handlers. */
@Controller()
export class ConductorEventsConsumer {
  constructor(private readonly processor: EventProcessor) {}

  @EventPattern(Topic.ConductorEvents)
  async handle(@Payload() message: ConductorEventMessage): Promise<void> {
    if (!message?.queue || !message.messageId) return;
    await this.processor.handle(message);
  }
}
