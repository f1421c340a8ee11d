import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, redactPaths } from '@babelfish/core';
import type { Logger } from '@babelfish/logger';
import { toAppError } from '../http-errors';

/** A 400 naming the form field at fault, as OpenAI's `param`. */
export function badParam(param: string, message: string): AppError {
  return new AppError('BAD_REQUEST', message, { param });
}

/** OpenAI's error `type` and `code` for each status class. */
function classify(error: AppError): { type: string; code: string | null } {
  const status = error.httpStatus;
  if (status === 401) return { type: 'authentication_error', code: 'invalid_api_key' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded' };
  if (status === 413) return { type: 'invalid_request_error', code: 'file_too_large' };
  if (status === 415) return { type: 'invalid_request_error', code: 'unsupported_file' };
  if (status === 404) return { type: 'invalid_request_error', code: 'not_found' };
  if (status >= 500) return { type: 'server_error', code: null };
  return { type: 'invalid_request_error', code: null };
}

/**
 * Errors of the OpenAI-compatible routes in OpenAI's shape, `{"error":{"message","type","param",
 * "code"}}`, with the status Babelfish would give (400, 401, 413, 415, 422, 429, 500, 503), so
 * the official SDKs raise their matching APIError subclasses.
 */
export function openAiErrorHandler(logger: Logger): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    if (appError.httpStatus >= 500) logger.error('openai-compatible request failed', { path: req.path, code: appError.code, error: String(error), stack: (error as Error)?.stack });
    else logger.info('openai-compatible request refused', { path: req.path, code: appError.code, error: String(error) });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appError.code === 'SERVICE_UNAVAILABLE' && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '5');
    const param = typeof appError.details?.param === 'string' ? appError.details.param : null;
    const { type, code } = classify(appError);
    res.status(appError.httpStatus).json({ error: { message: redactPaths(appError.message), type, param, code } });
  };
}

export const openAiNotFound: RequestHandler = (req, res) => {
  res.status(404).json({ error: { message: `Unknown request URL: ${req.method} ${req.originalUrl.slice(0, 200)}`, type: 'invalid_request_error', param: null, code: 'unknown_url' } });
};
