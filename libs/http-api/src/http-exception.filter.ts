import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Response } from 'express';

/** Every error as JSON {statusCode, error, message}; faults are logged, never sent (no stack traces). */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      // Readiness answers with terminus' result (status, info, error, details), liveness with its
      // failing loops: sent as they are.
      if (typeof body === 'object' && body !== null && ('details' in body || 'failing' in body)) {
        response.status(status).json(body);
        return;
      }
      response.status(status).json({ statusCode: status, error: HttpStatus[status] ?? 'Error', message });
      return;
    }
    this.logger.error(exception instanceof Error ? (exception.stack ?? exception.message) : String(exception));
    response.status(500).json({ statusCode: 500, error: 'INTERNAL_SERVER_ERROR', message: 'internal error' });
  }
}
