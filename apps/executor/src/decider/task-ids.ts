import { v5 as uuidv5 } from 'uuid';

// Fixed namespace for Baton task ids (a random v4 chosen once; never change it).
const TASK_ID_NAMESPACE = '6f1c1d5e-8a0e-4a63-9a63-2b8e0c7f4f10';

/**
 * Task ids are derived from the workflow id and the task's sequence number: the decider stays pure, and a
 * redelivered event that is decided again produces the very same ids.
 */
export const taskIdFor = (workflowId: string, seq: number): string => uuidv5(`${workflowId}:${seq}`, TASK_ID_NAMESPACE);

/**
 * The id of the child workflow a SUB_WORKFLOW attempt starts, derived from the attempt's task id: the
 * start is idempotent (a redelivered message starts the same child), and a retry starts a new child.
 */
export const childWorkflowIdFor = (taskId: string): string => uuidv5(`child:${taskId}`, TASK_ID_NAMESPACE);

/** The id of the failureWorkflow a failed run starts: one per run, so a redelivered decision starts it once. */
export const failureWorkflowIdFor = (workflowId: string): string => uuidv5(`failure:${workflowId}`, TASK_ID_NAMESPACE);

