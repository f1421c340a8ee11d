import type { NextFunction, Request, Response } from 'express';
import { errorBodySchema, openAiErrorBodySchema, whisperAsrErrorBodySchema } from '@babelfish/contract';
import type { Logger } from '@babelfish/logger';
import type { RouteSpec } from './route-specs';

/**
 * Checks every JSON response against the route table before it leaves (API_RESPONSE_VALIDATION,
 * on in tests): a success status the route does not declare, or a body that does not match the
 * declared schema, is turned into a 500 naming the problem, so any test that meets it fails.
 * Errors are checked against the route's declared schema for that status, else the common
 * error shape. This is how the whole e2e suite validates the API against its OpenAPI document.
 */
export function responseContract(specs: readonly RouteSpec[], logger: Logger) {
  const byRoute = new Map(specs.map((spec) => [`${spec.method} ${spec.path}`, spec]));
  return (req: Request, res: Response, next: NextFunction) => {
    const send = res.json.bind(res);
    res.json = (body: unknown) => {
      const problem = violation(req, res.statusCode, body);
      if (!problem) return send(body);
      logger.error('response contract violation', { method: req.method, path: req.originalUrl, status: res.statusCode, problem });
      res.status(500);
      return send({ error: { code: 'INTERNAL', message: `Response contract violation: ${problem}` } });
    };
    next();
  };

  function violation(req: Request, status: number, body: unknown): string | undefined {
    const routePath = (req.route as { path?: unknown } | undefined)?.path;
    // A router's own '/' (mounted at /v1/models) is the mount path itself.
    const key = typeof routePath === 'string' ? `${req.method.toLowerCase()} ${`${req.baseUrl}${routePath}`.replace(/(.)\/$/, '$1')}` : undefined;
    const spec = key ? byRoute.get(key) : undefined;
    const declared = spec?.responses[status];
    if (status >= 400) {
      const schema = declared?.json ?? spec?.errorSchema ?? errorSchemaByPath(req.originalUrl);
      const parsed = schema.safeParse(body);
      return parsed.success ? undefined : `${status} body: ${summarize(parsed.error.issues)}`;
    }
    if (!spec) return `${req.method} ${req.originalUrl.split('?')[0]} answered ${status} but is not in the route table`;
    if (!declared) return `${key} answered ${status}, which it does not declare`;
    if (!declared.json) return `${key} answered ${status} with JSON where it declares ${declared.media ?? 'no body'}`;
    const parsed = declared.json.safeParse(body);
    return parsed.success ? undefined : `${key} ${status} body: ${summarize(parsed.error.issues)}`;
  }
}

/** Errors raised before a route matched (authentication, unknown paths) in each API's own shape. */
function errorSchemaByPath(url: string) {
  if (url.startsWith('/v1/audio') || url.startsWith('/v1/models')) return openAiErrorBodySchema;
  if (url.startsWith('/compat/whisper-asr')) return whisperAsrErrorBodySchema;
  return errorBodySchema;
}

function summarize(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}
