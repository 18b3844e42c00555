/**
 * Kafka topic names. These values are wire contracts: never rename one; a new shape gets a new name
 * (`.v2`). Every message on a workflow topic is keyed by its workflowId, so Kafka's partitioning is the
 * sharding of workflow ownership.
 */
export const Topic = {
  /** gateway → executor, request-reply; key = workflowId. */
  ExecutorCommands: 'baton.executor.commands.v1',
  /** gateway → metadata, request-reply; key = definition name. */
  MetadataCommands: 'baton.metadata.commands.v1',
  /** executor → indexer (and native workers later): task lifecycle events; key = workflowId. */
  TaskEvents: 'baton.task.events.v1',
  /** executor → indexer: workflow state changes; key = workflowId. */
  WorkflowEvents: 'baton.workflow.events.v1',
  /** metadata → every app that caches definitions: a definition changed; key = definition name. */
  DefinitionEvents: 'baton.metadata.definition-events.v1',
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
