/**
 * Kafka topic names. These values are wire contracts: never rename one; a new shape gets a new name
 * (`.v2`). Every message on a workflow topic is keyed by its workflowId, so Kafka's partitioning is the
 * sharding of workflow ownership.
 */
export const Topic = {
  /**
   * → executor; key = workflowId. Commands from the gateway (request-reply) and notices nobody waits on
   * (task leased, child start, child ended), ordered together per workflow.
   */
  ExecutorCommands: 'baton.executor.commands.v1',
  /** gateway → metadata, request-reply; key = definition name. */
  MetadataCommands: 'baton.metadata.commands.v1',
  /** executor → indexer: task lifecycle events; key = workflowId. */
  TaskEvents: 'baton.task.events.v1',
  /**
   * native workers → executor: the task lifecycle events of KAFKA-delivered tasks a worker reports
   * (start, monitor, result; worker-protocol.ts); key = workflowId. A topic of their own, so the executors
   * read only workers' events, never the engine's own stream (measured: consuming that cost 6% of
   * embedded throughput, and in distributed mode every executor would parse every task event).
   */
  WorkerTaskEvents: 'baton.worker.task-events.v1',
  /** executor → indexer: workflow state changes; key = workflowId. */
  WorkflowEvents: 'baton.workflow.events.v1',
  /**
   * EVENT tasks → the event processor (in every executor): messages on Conductor's internal event queues
   * (`conductor:<workflow>:<name>`), for the event handlers listening on them; key = the queue name.
   */
  ConductorEvents: 'baton.conductor.events.v1',
  /**
   * executor → executor (its callback sender): an ended workflow's HTTP callback (a Rill Flow submit's
   * `callback`), written with the decision that ended it, POSTed at least once; key = workflowId.
   */
  Callbacks: 'baton.callbacks.v1',
  /** where a consumer parks a message it can never process, with the reason in a header. */
  DeadLetter: 'baton.dead-letter.v1',
} as const;
export type Topic = (typeof Topic)[keyof typeof Topic];

/** Topics a gateway sends requests on; each has a `<topic>.reply` twin (the @nestjs/microservices convention). */
export const REQUEST_TOPICS = [Topic.ExecutorCommands, Topic.MetadataCommands] as const;

export const replyTopicOf = (topic: string): string => `${topic}.reply`;

/** Every topic the system needs, reply topics included: what the provisioner creates at startup. */
export const ALL_TOPICS: readonly string[] = [
  ...Object.values(Topic),
  ...REQUEST_TOPICS.map(replyTopicOf),
];

/**
 * Postgres notification channels (LISTEN/NOTIFY): wire names like the topics, never renamed. A NOTIFY
 * sent in a transaction is delivered at commit, so a listener never hears of a row it cannot see yet.
 */
export const NotificationChannel = {
  /** Work arrived in a worker queue; payload `<count>:<queueName>` (wake up to `count` pollers). */
  TaskQueue: 'baton_task_queue',
  /** A definition changed; payload `<kind>:<name>` (taskdef, workflowdef, eventhandler). */
  Definitions: 'baton_definitions',
  /**
   * A watched workflow changed (one started by `execute`, signalled with `…/signal/sync`, or a child of
   * one); payload: its id. What a synchronous caller waits on instead of polling.
   */
  WorkflowChanges: 'baton_workflow_changes',
} as const;
export type NotificationChannel = (typeof NotificationChannel)[keyof typeof NotificationChannel];
