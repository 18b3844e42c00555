import { DynamicModule, Global, Module, OnApplicationShutdown, Optional } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { OpenSearchIndices, OpenSearchSettings } from './opensearch/opensearch-indices';
import { OpenSearchReader } from './opensearch/opensearch-search.reader';
import { PgSearchReader } from './pg-search.reader';
import { SearchReader } from './search-reader';

/** Which search backend a process uses: chosen once, at boot, from validated config. */
export type SearchBackend = { readonly kind: 'postgres' } | ({ readonly kind: 'opensearch' } & OpenSearchSettings);

/**
 * The search index for a process: its reader (`SearchReader`), and with OpenSearch the indices and their
 * client (`OpenSearchIndices`), which the indexer writes through. Business code asks for the port and
 * never branches on the backend.
 */
@Global()
@Module({})
export class SearchModule implements OnApplicationShutdown {
  constructor(@Optional() private readonly indices?: OpenSearchIndices) {}

  static forRoot(backend: SearchBackend): DynamicModule {
    const providers =
      backend.kind === 'opensearch'
        ? [
            { provide: OpenSearchIndices, useFactory: () => new OpenSearchIndices(backend) },
            { provide: SearchReader, useFactory: (indices: OpenSearchIndices) => new OpenSearchReader(indices), inject: [OpenSearchIndices] },
          ]
        : [{ provide: SearchReader, useFactory: (ds: DataSource) => new PgSearchReader(ds), inject: [DataSource] }];
    return { module: SearchModule, providers, exports: providers.map((p) => p.provide) };
  }

  async onApplicationShutdown(): Promise<void> {
    await this.indices?.close();
  }
}
