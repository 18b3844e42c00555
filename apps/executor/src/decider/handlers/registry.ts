import { RunnableTaskType, taskTypeKey } from '@app/contracts';
import { doWhileHandler } from './do-while.handler';
import { dynamicHandler } from './dynamic.handler';
import { eventHandler } from './event.handler';
import { exclusiveJoinHandler } from './exclusive-join.handler';
import { forkJoinDynamicHandler } from './fork-join-dynamic.handler';
import { forkJoinHandler } from './fork-join.handler';
import { httpHandler } from './http.handler';
import { humanHandler } from './human.handler';
import { inlineHandler } from './inline.handler';
import { joinHandler } from './join.handler';
import { kafkaPublishHandler } from './kafka-publish.handler';
import { jsonJqTransformHandler } from './json-jq-transform.handler';
import { lambdaHandler } from './lambda.handler';
import { noopHandler } from './noop.handler';
import { setVariableHandler } from './set-variable.handler';
import { startWorkflowHandler } from './start-workflow.handler';
import { subWorkflowHandler } from './sub-workflow.handler';
import { switchHandler } from './switch.handler';
import type { TaskHandler } from './task-handler';
import { terminateHandler } from './terminate.handler';
import { waitHandler } from './wait.handler';
import { rillChoiceHandler } from '../rill/choice.handler';
import { rillForeachHandler } from '../rill/foreach.handler';
import { rillFunctionHandler } from '../rill/function.handler';
import { rillPassHandler } from '../rill/pass.handler';
import { rillReturnHandler } from '../rill/return.handler';
import { rillSubFlowHandler } from '../rill/subflow.handler';
import { rillSuspenseHandler } from '../rill/suspense.handler';
import { rillSwitchHandler } from '../rill/switch.handler';
import { workerHandler } from './worker.handler';

/**
 * One handler per runnable task type, keyed by the catalogue's `RunnableTaskType`: marking a type
 * runnable in the catalogue without a handler here (or the other way round) does not compile.
 */
const HANDLERS: { readonly [K in RunnableTaskType]: TaskHandler } = {
  SIMPLE: workerHandler,
  SWITCH: switchHandler,
  DECISION: switchHandler,
  FORK_JOIN: forkJoinHandler,
  JOIN: joinHandler,
  WAIT: waitHandler,
  SUB_WORKFLOW: subWorkflowHandler,
  HUMAN: humanHandler,
  NOOP: noopHandler,
  SET_VARIABLE: setVariableHandler,
  TERMINATE: terminateHandler,
  DO_WHILE: doWhileHandler,
  EXCLUSIVE_JOIN: exclusiveJoinHandler,
  INLINE: inlineHandler,
  LAMBDA: lambdaHandler,
  JSON_JQ_TRANSFORM: jsonJqTransformHandler,
  HTTP: httpHandler,
  FORK_JOIN_DYNAMIC: forkJoinDynamicHandler,
  DYNAMIC: dynamicHandler,
  START_WORKFLOW: startWorkflowHandler,
  KAFKA_PUBLISH: kafkaPublishHandler,
  EVENT: eventHandler,
  RILL_FUNCTION: rillFunctionHandler,
  RILL_SUBFLOW: rillSubFlowHandler,
  RILL_PASS: rillPassHandler,
  RILL_RETURN: rillReturnHandler,
  RILL_SWITCH: rillSwitchHandler,
  RILL_SUSPENSE: rillSuspenseHandler,
  RILL_CHOICE: rillChoiceHandler,
  RILL_FOREACH: rillForeachHandler,
};

/** The handler of a task type (worker task types all share SIMPLE's). */
export function handlerFor(type: string | undefined): TaskHandler {
  const handler = (HANDLERS as Partial<Record<string, TaskHandler>>)[taskTypeKey(type)];
  // Starts are refused for types that cannot run (whyNotRunnable), so this is a shell bug.
  if (!handler) throw new Error(`no handler for task type ${type}: the start should have been refused`);
  return handler;
}
