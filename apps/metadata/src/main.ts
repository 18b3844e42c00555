import 'reflect-metadata';
import { runService } from '@app/runtime';
import { MetadataModule } from './metadata.module';

/** The metadata as its own process (distributed mode). */
runService('metadata', MetadataModule);
