import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { noteAudit } from './admin-auth/admin-audit.service';

/** Every error as JSON {statusCode, error, message}; faults are logged, never sent (no stack traces). */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('Http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const response = host.switchToHttp().getResponse<Response>();
    const request = host.switchToHttp().getRequest<Request>();
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const body = exception.getResponse();
      const message = typeof body === 'string' ? body : ((body as { message?: unknown }).message ?? exception.message);
      // An admin request's audit row says why it failed.
      noteAudit(request, { detail: (typeof message === 'string' ? message : JSON.stringify(message)).slice(0, 500) });
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
    noteAudit(request, { detail: 'internal error (see the log)' });
    response.status(500).json({ statusCode: 500, error: 'INTERNAL_SERVER_ERROR', message: 'internal error' });
  }
}
