import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BatonError, ErrorCode } from '@app/contracts';
import { BusUnavailableError } from '@app/bus';
import type { Response } from 'express';
import { httpStatusOf } from '../errors/error-status';

/** A Dapr error: its error code (`ERR_…`), the status it answers with, and the reason in ErrorInfo. */
export class DaprError extends Error {
  constructor(
    readonly errorCode: string,
    readonly status: number,
    message: string,
    readonly reason = errorCode.replace(/^ERR_/, ''),
  ) {
    super(message);
    this.name = 'DaprError';
  }
}

/**
 * Dapr's dialect answers errors as `{errorCode, message, details: [ErrorInfo]}` (its standard error body),
 * not Conductor's. Engine refusals keep their status (404 for an unknown instance, 409 for a conflict);
 * `errorCode` names the operation, as Dapr's codes do.
 */
@Catch()
export class DaprErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('DaprErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const operation = (http.getRequest<{ daprOperation?: string }>().daprOperation ?? 'ERR_WORKFLOW').toUpperCase();
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let errorCode = operation;
    let message = 'Internal server error';
    if (exception instanceof DaprError) {
      ({ status, errorCode, message } = exception);
    } else if (exception instanceof BatonError) {
      status = httpStatusOf(exception.code);
      message = exception.message;
      if (exception.code === ErrorCode.WorkflowNotFound) errorCode = 'ERR_INSTANCE_ID_NOT_FOUND';
    } else if (exception instanceof BusUnavailableError) {
      status = HttpStatus.SERVICE_UNAVAILABLE;
      message = `Service temporarily unavailable: ${exception.message}`;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      message = exception.message;
    } else {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    res
      .status(status)
      .type('application/json')
      .json({ errorCode, message, details: [{ '@type': 'type.googleapis.com/google.rpc.ErrorInfo', domain: 'dapr.io', reason: errorCode.replace(/^ERR_/, ''), metadata: {} }] });
  }
}
