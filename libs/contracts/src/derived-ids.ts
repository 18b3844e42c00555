import { v5 as uuidv5 } from 'uuid';

// Fixed namespace for ids derived from what a request names (a random v4 chosen once; never change it).
const DERIVED_ID_NAMESPACE = '2d0c54d9-3f0e-4b8e-9f5d-6a1f0e9c7b21';

/**
 * The id of the workflow an event handler's `start_workflow` action starts for a message: one per
 * (message, handler, action position), so a redelivered message starts it once — and whoever knows the
 * message (an EVENT task's id is its message id) can find the workflow it started.
 */
export const eventStartIdFor = (messageId: string, handlerName: string, actionIndex: number): string =>
  uuidv5(`event:${messageId}:${handlerName}:${actionIndex}`, DERIVED_ID_NAMESPACE);

/**
 * The id of the `generation`-th workflow started under an idempotency key (0 for the first; FAIL_ON_RUNNING
 * starts another once the previous ended): two starts that race for the same key and generation ask for
 * the same id, so the owner of that id serialises them and only one can start it.
 */
export const idempotentWorkflowIdFor = (workflowName: string, idempotencyKey: string, generation: number): string =>
  uuidv5(`idempotency:${workflowName}:${idempotencyKey}:${generation}`, DERIVED_ID_NAMESPACE);

/**
 * The workflow id of a Dapr instance id: the id itself when it is a uuid (the same id through every door),
 * else one derived from it — Baton's ids are uuids, Dapr's any letters, digits, `_` and `-`. The Dapr id is
 * kept as the workflow's correlationId, so Conductor's correlation lookups find it too.
 */
export const daprWorkflowIdFor = (instanceId: string): string =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(instanceId) ? instanceId.toLowerCase() : uuidv5(`dapr:${instanceId}`, DERIVED_ID_NAMESPACE);

/** Rill Flow's `ReservedConstant.EXECUTION_ID_CONNECTOR`: an execution id is `<workspace>:<dagName>_c_<uuid>`. */
const RILL_EXECUTION_CONNECTOR = '_c_';

/**
 * A Rill Flow execution id as Rill Flow forms it (`ExecutionIdUtil`): the descriptor's `<business>:<feature>`,
 * `_c_`, and — in Baton — the workflow's id, so the execution and the workflow are one id read two ways.
 */
export const rillExecutionIdOf = (descriptorId: string, workflowId: string): string => `${descriptorId}${RILL_EXECUTION_CONNECTOR}${workflowId}`;

/** The workflow id inside a Rill Flow execution id, or undefined when it is not one Baton made. */
export function workflowIdOfRillExecution(executionId: string): string | undefined {
  const at = executionId.lastIndexOf(RILL_EXECUTION_CONNECTOR);
  const id = at > 0 ? executionId.slice(at + RILL_EXECUTION_CONNECTOR.length) : '';
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id) ? id : undefined;
}
