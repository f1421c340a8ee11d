import type { ErrorRequestHandler, RequestHandler } from 'express';
import multer from 'multer';
import { AppError, isAppError } from '@babelfish/core';
import type { Logger } from '@babelfish/logger';

/** Express 5 forwards rejected promises here; clients get a code and a message, never a stack. */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    if (appError.httpStatus >= 500) logger.error('request failed', { path: req.path, error: String(error), stack: (error as Error)?.stack });
    res.status(appError.httpStatus).json({ error: appError.toJSON(), requestId: res.locals.requestId as string | undefined });
  };
}

function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof multer.MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE') return new AppError('PAYLOAD_TOO_LARGE', 'The upload is larger than the configured limit');
    return new AppError('BAD_REQUEST', `Upload rejected: ${error.message}`);
  }
  if (error && typeof error === 'object' && 'type' in error && (error as { type: string }).type === 'entity.parse.failed') {
    return new AppError('BAD_REQUEST', 'The request body is not valid JSON');
  }
  return new AppError('INTERNAL', 'Something went wrong on our side; the error has been logged');
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${req.path}` }, requestId: res.locals.requestId as string | undefined });
};
