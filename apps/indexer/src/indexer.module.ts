import { Module } from '@nestjs/common';
import { MessageBus } from '@app/bus';
import { OpenSearchIndices } from '@app/persistence';
import { DataSource } from 'typeorm';
import { OpenSearchProjection } from './projection/opensearch-projection';
import { ExecutionEventsConsumer } from './projection/execution-events.consumer';
import { ProjectionBatcher } from './projection/projection-batcher';
import { SearchProjection } from './projection/search-projection';
import { SearchProjectionRepository } from './projection/search-projection.repository';

/**
 * Search: projects execution events into the search backend the process was booted with — OpenSearch
 * when it has one (`OPENSEARCH_URL`: the indices exist), else the Postgres projection.
 */
@Module({
  controllers: [ExecutionEventsConsumer],
  providers: [
    {
      provide: SearchProjection,
      useFactory: (dataSource: DataSource, bus: MessageBus, indices?: OpenSearchIndices) => (indices ? new OpenSearchProjection(indices, bus) : new SearchProjectionRepository(dataSource)),
      inject: [DataSource, MessageBus, { token: OpenSearchIndices, optional: true }],
    },
    ProjectionBatcher,
  ],
})
export class IndexerModule {}
