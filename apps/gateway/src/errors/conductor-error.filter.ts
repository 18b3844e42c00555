import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BatonError, ErrorCode, ValidationErrorItem } from '@app/contracts';
import { BusUnavailableError } from '@app/bus';
import type { Response } from 'express';
import { hostname } from 'node:os';
import { httpStatusOf, isRetryable } from './error-status';

/** Conductor's error body (`ErrorResponse`). */
export interface ConductorErrorBody {
  status: number;
  message: string;
  instance: string;
  retryable: boolean;
  validationErrors?: readonly ValidationErrorItem[];
}

/**
 * Every error leaves the gateway in Conductor's shape. Domain errors carry their code; framework errors
 * (a body that is not JSON, an unknown route) keep their HTTP status; anything else is a logged 500.
 */
@Catch()
export class ConductorErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');
  private readonly instance = hostname();

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    const body = this.toBody(exception);
    if (body.status >= 500 && !(exception instanceof BatonError && exception.code === ErrorCode.Unavailable)) {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    res.status(body.status).type('application/json').json(body);
  }

  private toBody(exception: unknown): ConductorErrorBody {
    if (exception instanceof BusUnavailableError) {
      return this.body(HttpStatus.SERVICE_UNAVAILABLE, `Service temporarily unavailable: ${exception.message}`, true);
    }
    if (exception instanceof BatonError) {
      const body = this.body(httpStatusOf(exception.code), exception.message, isRetryable(exception.code));
      return exception.validationErrors.length ? { ...body, validationErrors: exception.validationErrors } : body;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      const message = typeof response === 'object' && response && 'message' in response ? String((response as { message: unknown }).message) : exception.message;
      return this.body(status, status === HttpStatus.BAD_REQUEST && /JSON/i.test(message) ? `Malformed JSON request body: ${message}` : message, false);
    }
    // A read the database refused for its input (a data exception, SQLSTATE class 22) is the caller's error.
    const sqlState = (exception as { driverError?: { code?: unknown } })?.driverError?.code;
    if (typeof sqlState === 'string' && sqlState.startsWith('22')) {
      return this.body(HttpStatus.BAD_REQUEST, `Invalid input: ${(exception as Error).message}`, false);
    }
    // body-parser errors reach here as plain errors with a status and a type.
    const { status, type } = (exception ?? {}) as { status?: unknown; type?: unknown };
    if (typeof status === 'number' && status >= 400 && status < 500) {
      const message =
        type === 'entity.too.large' ? `Request body too large: ${(exception as Error).message}` : `Malformed request body: ${(exception as Error).message}`;
      return this.body(status, message, false);
    }
    return this.body(HttpStatus.INTERNAL_SERVER_ERROR, 'Internal server error', false);
  }

  private body(status: number, message: string, retryable: boolean): ConductorErrorBody {
    return { status, message, instance: this.instance, retryable };
  }
}
