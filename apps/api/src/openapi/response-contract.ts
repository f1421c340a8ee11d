import type { NextFunction, Request, Response } from 'express';
import { errorBodySchema, openAiErrorBodySchema, whisperAsrErrorBodySchema } from '@babelfish/contract';
import type { Logger } from '@babelfish/logger';
import type { RouteSpec } from './route-specs';

/**
 * Checks every response against the route table before it leaves (API_RESPONSE_VALIDATION, on
 * in tests): a success status the route does not declare, or a JSON body that does not match the
 * declared schema, is turned into a 500 naming the problem, so any test that meets it fails.
 * Errors are checked against the route's declared schema for that status, else the common
 * error shape. A body that is not JSON (subtitles, video, text answers) is checked when its
 * headers go out: the status must be declared and the Content-Type one of the declared media
 * types; a violation turns the status into a 500 and names the problem in a header (the body is
 * already on its way). This is how the whole e2e suite validates the API against its OpenAPI
 * document.
 */
export function responseContract(specs: readonly RouteSpec[], logger: Logger) {
  const byRoute = new Map(specs.map((spec) => [`${spec.method} ${spec.path}`, spec]));
  return (req: Request, res: Response, next: NextFunction) => {
    const send = res.json.bind(res);
    let checkedAsJson = false;
    const writeHead = res.writeHead.bind(res) as (...args: unknown[]) => Response;
    res.writeHead = ((...args: unknown[]) => {
      const status = typeof args[0] === 'number' ? args[0] : res.statusCode;
      const problem = checkedAsJson ? undefined : mediaViolation(req, status, contentTypeOf(res, args));
      if (problem) {
        logger.error('response contract violation', { method: req.method, path: req.originalUrl, status, problem });
        res.setHeader('X-Contract-Violation', problem.replace(/[^\x20-\x7e]/g, '?'));
        args[0] = 500;
      }
      return writeHead(...args);
    }) as Response['writeHead'];
    res.json = (body: unknown) => {
      checkedAsJson = true;
      const problem = violation(req, res.statusCode, body);
      if (!problem) return send(body);
      logger.error('response contract violation', { method: req.method, path: req.originalUrl, status: res.statusCode, problem });
      res.status(500);
      return send({ error: { code: 'INTERNAL', message: `Response contract violation: ${problem}` } });
    };
    next();
  };

  function specOf(req: Request) {
    const routePath = (req.route as { path?: unknown } | undefined)?.path;
    const key = typeof routePath === 'string' ? `${req.method.toLowerCase()} ${`${req.baseUrl}${routePath}`.replace(/(.)\/$/, '$1')}` : undefined;
    return { key, spec: key ? byRoute.get(key) : undefined };
  }

  /**
   * A body sent without res.json: only routes of the table are checked (the dashboard's static
   * files are not API routes), and only bodies that have a type (redirects, 204 and 304 have none).
   */
  function mediaViolation(req: Request, status: number, contentType: string | undefined): string | undefined {
    const { key, spec } = specOf(req);
    if (!spec || !contentType || status >= 300) return undefined;
    const declared = spec.responses[status];
    if (!declared) return `${key} answered ${status}, which it does not declare`;
    const type = contentType.split(';')[0]!.trim().toLowerCase();
    if (declared.json) return type === 'application/json' ? undefined : `${key} answered ${status} with ${type} where it declares JSON`;
    const media = [declared.media ?? []].flat();
    const matches = media.some((allowed) => (allowed.endsWith('/*') ? type.startsWith(allowed.slice(0, -1)) : type === allowed));
    return matches ? undefined : `${key} answered ${status} with ${type} where it declares ${media.join(', ') || 'no body'}`;
  }

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

/** The Content-Type being sent: from writeHead's headers argument, else the response's own. */
function contentTypeOf(res: Response, args: unknown[]): string | undefined {
  const headers = args.find((arg, index) => index > 0 && typeof arg === 'object' && arg !== null) as Record<string, unknown> | unknown[] | undefined;
  if (headers && !Array.isArray(headers)) {
    const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type');
    if (entry) return String(entry[1]);
  }
  const header = res.getHeader('content-type');
  return header === undefined ? undefined : String(header);
}

function summarize(issues: ReadonlyArray<{ path: PropertyKey[]; message: string }>): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`)
    .join('; ');
}
