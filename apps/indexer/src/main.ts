import 'reflect-metadata';
import { runService } from '@app/runtime';
import { IndexerModule } from './indexer.module';

/** The indexer as its own process (distributed mode). */
runService('indexer', IndexerModule);
