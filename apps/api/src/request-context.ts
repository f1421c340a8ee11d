import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';
import { withLogContext } from '@babelfish/logger';

const acceptableId = /^[A-Za-z0-9._-]{8,64}$/;

/**
 * Gives each request an id (the caller's X-Request-Id when it is sane, so traces join up across
 * a proxy), returns it in the response header and puts it on every log line written for it.
 */
export const requestContext: RequestHandler = (req, res, next) => {
  const incoming = req.header('x-request-id');
  const requestId = incoming && acceptableId.test(incoming) ? incoming : randomUUID();
  res.locals.requestId = requestId;
  res.setHeader('X-Request-Id', requestId);
  withLogContext({ requestId }, next);
};
