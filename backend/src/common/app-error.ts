import { HttpException, HttpStatus } from '@nestjs/common';

export interface FieldProblem {
  field: string;
  reason: string;
}

/**
 * An API error with a stable machine-readable `code` that the panel translates. The message is
 * English, names the value that failed (never a secret) and tells what to do next.
 */
export class AppError extends HttpException {
  constructor(
    status: HttpStatus,
    readonly code: string,
    message: string,
    readonly details?: Record<string, unknown>,
  ) {
    super({ statusCode: status, code, message, ...details }, status);
  }

  static badRequest(code: string, message: string, details?: Record<string, unknown>) {
    return new AppError(HttpStatus.BAD_REQUEST, code, message, details);
  }

  static notFound(code: string, message: string, details?: Record<string, unknown>) {
    return new AppError(HttpStatus.NOT_FOUND, code, message, details);
  }

  static conflict(code: string, message: string, details?: Record<string, unknown>) {
    return new AppError(HttpStatus.CONFLICT, code, message, details);
  }

  static gone(code: string, message: string, details?: Record<string, unknown>) {
    return new AppError(HttpStatus.GONE, code, message, details);
  }

  static unprocessable(code: string, message: string, details?: Record<string, unknown>) {
    return new AppError(HttpStatus.UNPROCESSABLE_ENTITY, code, message, details);
  }
}

export function validationError(problems: FieldProblem[]): AppError {
  const summary = problems.map((problem) => `${problem.field}: ${problem.reason}`).join('; ');
  return AppError.badRequest('VALIDATION_FAILED', `Invalid request: ${summary}`, { errors: problems });
}
