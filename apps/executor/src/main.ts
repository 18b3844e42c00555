import 'reflect-metadata';
import { runService } from '@app/runtime';
import { ExecutorModule } from './executor.module';

/** The executor as its own process (distributed mode). */
runService('executor', ExecutorModule);
