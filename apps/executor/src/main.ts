import 'reflect-metadata';
import { Topic } from '@app/contracts';
import { runService } from '@app/runtime';
import { ExecutorModule } from './executor.module';

/**
 * The executor as its own process (distributed mode). It sends commands too: its HTTP task worker reports
 * results to each workflow's owner as a worker would, and waits for the answer.
 */
runService('executor', ExecutorModule, { requestTopics: [Topic.ExecutorCommands] });
