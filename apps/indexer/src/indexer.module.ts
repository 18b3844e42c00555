import { Module } from '@nestjs/common';
import { ExecutionEventsConsumer } from './projection/execution-events.consumer';
import { ProjectionBatcher } from './projection/projection-batcher';
import { SearchProjectionRepository } from './projection/search-projection.repository';

/** Search: projects execution events into the search backend (Postgres here; OpenSearch to come). */
@Module({
  controllers: [ExecutionEventsConsumer],
  providers: [SearchProjectionRepository, ProjectionBatcher],
})
export class IndexerModule {}
