/**
 * Error codes travel on the wire (in command replies) and are mapped to HTTP once, exhaustively, at the
 * gateway edge. Adding a code here does not compile until the gateway maps it.
 */
export const ErrorCode = {
  WorkflowNotFound: 'WORKFLOW_NOT_FOUND',
  WorkflowDefNotFound: 'WORKFLOW_DEF_NOT_FOUND',
  TaskNotFound: 'TASK_NOT_FOUND',
  TaskDefNotFound: 'TASK_DEF_NOT_FOUND',
  DefinitionConflict: 'DEFINITION_CONFLICT',
  /** a start refused by its idempotency key: a workflow started with it exists (or runs). */
  WorkflowConflict: 'WORKFLOW_CONFLICT',
  EventHandlerNotFound: 'EVENT_HANDLER_NOT_FOUND',
  RillDescriptorNotFound: 'RILL_DESCRIPTOR_NOT_FOUND',
  ValidationFailed: 'VALIDATION_FAILED',
  InvalidArgument: 'INVALID_ARGUMENT',
  TaskNotClaimable: 'TASK_NOT_CLAIMABLE',
  /** the owner could not be reached in time or a dependency is down: safe to retry. */
  Unavailable: 'UNAVAILABLE',
  /** an endpoint Baton knows but does not serve yet (search, until issue 12): 501, never a misleading 404. */
  NotImplemented: 'NOT_IMPLEMENTED',
  Internal: 'INTERNAL',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

/** One problem with a request, as in Conductor's `ValidationError` (path, message, invalidValue). */
export interface ValidationErrorItem {
  readonly path: string;
  readonly message: string;
  readonly invalidValue?: unknown;
}

export interface ErrorPayload {
  readonly code: ErrorCode;
  readonly message: string;
  readonly validationErrors?: readonly ValidationErrorItem[];
}

/**
 * A domain error: thrown inside a service, carried across the bus as an `ErrorPayload`, turned into a
 * Conductor error body at the HTTP edge. Never used for control flow inside the decider.
 */
export class BatonError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly validationErrors: readonly ValidationErrorItem[] = [],
  ) {
    super(message);
    this.name = 'BatonError';
  }

  static from(payload: ErrorPayload): BatonError {
    return new BatonError(payload.code, payload.message, payload.validationErrors ?? []);
  }

  toPayload(): ErrorPayload {
    return this.validationErrors.length
      ? { code: this.code, message: this.message, validationErrors: this.validationErrors }
      : { code: this.code, message: this.message };
  }
}

/**
 * A reply to a command: the result, or the domain error it ended in. (No top-level `key` or `value`: the
 * Kafka transport would take such an object for a raw Kafka message.)
 */
export type CommandReply<T> =
  | { readonly ok: true; readonly result: T }
  | { readonly ok: false; readonly error: ErrorPayload };

export const replyOk = <T>(result: T): CommandReply<T> => ({ ok: true, result });
export const replyError = (error: BatonError): CommandReply<never> => ({ ok: false, error: error.toPayload() });

/** Unwraps a reply; a domain error becomes a BatonError again on the requesting side. */
export function unwrapReply<T>(reply: CommandReply<T>): T {
  if (reply?.ok === true) return reply.result;
  if (reply?.ok === false && reply.error) throw BatonError.from(reply.error);
  throw new Error(`malformed command reply: ${JSON.stringify(reply)}`);
}
