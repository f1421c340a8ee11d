import type { ErrorRequestHandler, RequestHandler } from 'express';
import multer from 'multer';
import { AppError, isAppError, redactPaths } from '@babelfish/core';
import type { Logger } from '@babelfish/logger';
import { isRedisUnavailable } from './redis-availability';

/**
 * Express 5 forwards rejected promises here. Clients get a code, a plain message, the public
 * details and the request id; the cause (paths, tool output, stacks) goes to the logs only.
 */
export function errorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    const fields = { path: req.path, code: appError.code, error: String(error), details: isAppError(error) ? error.details : undefined };
    if (appError.httpStatus >= 500) logger.error('request failed', { ...fields, stack: (error as Error)?.stack });
    else logger.info('request refused', fields);
    if (appError.code === 'SERVICE_UNAVAILABLE' && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '5');
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const body = appError.toJSON();
    res.status(appError.httpStatus).json({ error: { ...body, message: redactPaths(body.message) }, requestId: res.locals.requestId as string | undefined });
  };
}

/** body-parser's error types (http-errors with a `type`), as the client's mistake they are. */
const bodyErrors: Record<string, () => AppError> = {
  'entity.parse.failed': () => new AppError('BAD_REQUEST', 'The request body is not valid JSON'),
  'entity.too.large': () => new AppError('PAYLOAD_TOO_LARGE', 'The request body is larger than the limit'),
  'entity.verify.failed': () => new AppError('BAD_REQUEST', 'The request body was refused'),
  'encoding.unsupported': () => new AppError('BAD_REQUEST', 'The request body uses an unsupported content encoding'),
  'charset.unsupported': () => new AppError('BAD_REQUEST', 'The request body uses an unsupported charset'),
  'request.aborted': () => new AppError('BAD_REQUEST', 'The request was aborted'),
  'request.size.invalid': () => new AppError('BAD_REQUEST', 'The request body is shorter or longer than its Content-Length'),
  'parameters.too.many': () => new AppError('PAYLOAD_TOO_LARGE', 'The request has too many parameters'),
};

export function toAppError(error: unknown): AppError {
  if (isAppError(error)) return error;
  if (error instanceof multer.MulterError) {
    if (error.code === 'LIMIT_FILE_SIZE') return new AppError('PAYLOAD_TOO_LARGE', 'The upload is larger than the configured limit');
    if (error.code === 'LIMIT_FIELD_VALUE' || error.code === 'LIMIT_PART_COUNT' || error.code === 'LIMIT_FIELD_COUNT' || error.code === 'LIMIT_FILE_COUNT') {
      return new AppError('PAYLOAD_TOO_LARGE', `Upload rejected: ${error.message}`);
    }
    return new AppError('BAD_REQUEST', `Upload rejected: ${error.message}`);
  }
  const type = error && typeof error === 'object' && 'type' in error ? String((error as { type: unknown }).type) : '';
  const bodyError = bodyErrors[type];
  if (bodyError) return bodyError();
  if (isRedisUnavailable(error)) return new AppError('SERVICE_UNAVAILABLE', 'The service is briefly unavailable (its queue store is not answering); retry shortly');
  // Any other error that says it is the client's (4xx), e.g. from a parser, stays a 4xx.
  const status = error && typeof error === 'object' && 'status' in error ? Number((error as { status: unknown }).status) : NaN;
  if (status >= 400 && status < 500) return new AppError(status === 413 ? 'PAYLOAD_TOO_LARGE' : 'BAD_REQUEST', 'The request could not be read');
  return new AppError('INTERNAL', 'Something went wrong on our side; the error has been logged');
}

/**
 * multer throws plain Errors from its multipart parser (no boundary, truncated body, bad
 * headers): those are the client's malformed request, not a server fault.
 */
export function multipartErrors(upload: RequestHandler): RequestHandler {
  return (req, res, next) => {
    upload(req, res, (error?: unknown) => {
      if (!error) return next();
      if (error instanceof multer.MulterError || isAppError(error)) return next(error);
      next(new AppError('BAD_REQUEST', `The multipart body could not be read: ${error instanceof Error ? error.message : String(error)}`));
    });
  };
}

export const notFoundHandler: RequestHandler = (req, res) => {
  res.status(404).json({ error: { code: 'NOT_FOUND', message: `No route for ${req.method} ${req.path.slice(0, 200)}` }, requestId: res.locals.requestId as string | undefined });
};
