import type { NextFunction, Request, Response } from 'express';

interface BodyParserError extends Error {
  status?: number;
  type?: string;
}

/**
 * Express error middleware for the body parsers. Nest answers an oversized body with a 404 ("Cannot
 * POST …") because the error skips every route, so this answers it first with 413 in the API's
 * error shape. Other errors go on to Nest's handler.
 */
export function bodyParserErrorHandler(limit: string) {
  return (error: BodyParserError, _request: Request, response: Response, next: NextFunction): void => {
    if (error?.type === 'entity.too.large') {
      response.status(413).json({
        statusCode: 413,
        code: 'PAYLOAD_TOO_LARGE',
        message: `The request body is larger than ${limit}. Send less data per request, or raise BODY_LIMIT on the server.`,
      });
      return;
    }
    if (error?.type === 'encoding.unsupported' || error?.type === 'charset.unsupported') {
      response.status(415).json({ statusCode: 415, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'The request body must be UTF-8 JSON or form data without a content encoding.' });
      return;
    }
    next(error);
  };
}
