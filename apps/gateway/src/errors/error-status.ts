import { HttpStatus } from '@nestjs/common';
import { assertNever, ErrorCode } from '@app/contracts';

/** The one place error codes become HTTP statuses. A new code does not compile until it is mapped here. */
export function httpStatusOf(code: ErrorCode): HttpStatus {
  switch (code) {
    case ErrorCode.WorkflowNotFound:
    case ErrorCode.WorkflowDefNotFound:
    case ErrorCode.TaskNotFound:
    case ErrorCode.TaskDefNotFound:
    case ErrorCode.EventHandlerNotFound:
    case ErrorCode.RillDescriptorNotFound:
      return HttpStatus.NOT_FOUND;
    case ErrorCode.DefinitionConflict:
    case ErrorCode.WorkflowConflict:
    case ErrorCode.TaskNotClaimable:
      return HttpStatus.CONFLICT;
    case ErrorCode.ValidationFailed:
    case ErrorCode.InvalidArgument:
      return HttpStatus.BAD_REQUEST;
    case ErrorCode.Unavailable:
      return HttpStatus.SERVICE_UNAVAILABLE;
    case ErrorCode.NotImplemented:
      return HttpStatus.NOT_IMPLEMENTED;
    case ErrorCode.Internal:
      return HttpStatus.INTERNAL_SERVER_ERROR;
    default:
      return assertNever(code);
  }
}

/** Conductor's `retryable`: true only when trying again may succeed. */
export const isRetryable = (code: ErrorCode): boolean => code === ErrorCode.Unavailable;
