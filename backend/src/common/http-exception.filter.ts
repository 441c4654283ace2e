import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';

const CODES_BY_STATUS: Record<number, string> = {
  400: 'BAD_REQUEST',
  401: 'UNAUTHORIZED',
  403: 'FORBIDDEN',
  404: 'NOT_FOUND',
  405: 'METHOD_NOT_ALLOWED',
  409: 'CONFLICT',
  413: 'PAYLOAD_TOO_LARGE',
  415: 'UNSUPPORTED_MEDIA_TYPE',
  429: 'TOO_MANY_REQUESTS',
};

/**
 * Gives every error response the `{statusCode, code, message}` shape. Unknown errors become a
 * generic 500 and are logged with their stack, so no library error text reaches a client.
 */
@Catch()
export class HttpExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpExceptionFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const response = context.getResponse<Response>();
    const request = context.getRequest<Request>();

    if (exception instanceof HttpException) {
      const body = this.toBody(exception);
      if (typeof body.retryAfterSeconds === 'number') response.setHeader('Retry-After', String(body.retryAfterSeconds));
      response.status(exception.getStatus()).json(body);
      return;
    }

    this.logger.error({ err: exception, method: request.method, path: request.route?.path }, 'Unhandled error while serving a request');
    response.status(HttpStatus.INTERNAL_SERVER_ERROR).json({
      statusCode: HttpStatus.INTERNAL_SERVER_ERROR,
      code: 'INTERNAL_ERROR',
      message: 'The server failed to handle this request. Try again; if it keeps failing, check the server logs.',
    });
  }

  private toBody(exception: HttpException): Record<string, unknown> {
    const status = exception.getStatus();
    const payload = exception.getResponse();

    if (typeof payload === 'object' && payload !== null && 'code' in payload) return payload as Record<string, unknown>;

    const message =
      typeof payload === 'string'
        ? payload
        : Array.isArray((payload as { message?: unknown }).message)
          ? ((payload as { message: string[] }).message).join('; ')
          : String((payload as { message?: unknown }).message ?? exception.message);
    return { statusCode: status, code: CODES_BY_STATUS[status] ?? 'ERROR', message };
  }
}
