import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { BatonError } from '@app/contracts';
import { BusUnavailableError } from '@app/bus';
import type { Response } from 'express';
import { httpStatusOf } from '../errors/error-status';

/**
 * Rill Flow's dialect answers errors as `{"ret": false, …}` rather than Conductor's body; the status code
 * carries the class of error just the same.
 */
@Catch()
export class RillFlowErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('RillFlowErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    const res = host.switchToHttp().getResponse<Response>();
    let status: number = HttpStatus.INTERNAL_SERVER_ERROR;
    let body: Record<string, unknown> = { ret: false, message: 'Internal server error' };
    if (exception instanceof BatonError) {
      status = httpStatusOf(exception.code);
      body = { ret: false, code: exception.code, message: exception.message, ...(exception.validationErrors.length ? { errors: exception.validationErrors } : {}) };
    } else if (exception instanceof BusUnavailableError) {
      status = HttpStatus.SERVICE_UNAVAILABLE;
      body = { ret: false, code: 'UNAVAILABLE', message: `Service temporarily unavailable: ${exception.message}` };
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      body = { ret: false, message: exception.message };
    } else {
      this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    }
    res.status(status).type('application/json').json(body);
  }
}
