import fs from 'node:fs';
import path from 'node:path';
import express from 'express';
import cors from 'cors';
import helmet from 'helmet';
import type { ApiDeps } from './deps';
import { errorHandler, notFoundHandler } from './http-errors';
import { jobActionsRouter } from './routes/job-actions';
import { jobMediaRouter } from './routes/job-media';
import { jobsRouter } from './routes/jobs';
import { subtitlesRouter } from './routes/subtitles';
import { uploadsRouter } from './routes/uploads';
import { webhooksRouter } from './routes/webhooks';
import { metaRouter } from './routes/meta';
import { requestContext } from './request-context';
import { publicReadiness } from './readiness';
import { requireAuth } from './auth/authenticate';
import { rateLimit } from './auth/rate-limit';
import { sessionRouter } from './routes/session';
import { buildOpenApiDocument } from './openapi/document';
import { docsPage, docsScript } from './openapi/docs-page';
import { responseContract } from './openapi/response-contract';
import { routeSpecs } from './openapi/route-specs';
import { openAiRouters } from './compat/openai-router';
import { whisperAsrRouter } from './compat/whisper-asr-router';

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  // Behind nginx/the ALB, the client address is in X-Forwarded-For (per-IP log-in limits need it).
  app.set('trust proxy', deps.config.trustProxy);
  app.use(requestContext);
  app.use(deps.metrics.httpMiddleware());
  // Browsers on other origins only where configured; same-origin (the dashboard) always works.
  app.use(cors({ origin: deps.config.http.corsOrigins, credentials: true, exposedHeaders: ['X-Request-Id', 'Location', 'Retry-After'] }));
  app.use(
    helmet({
      // The dashboard loads only its own bundle; media and Socket.IO are same-origin too.
      contentSecurityPolicy: { directives: { 'img-src': ["'self'", 'data:'], 'media-src': ["'self'"], 'connect-src': ["'self'"] } },
    }),
  );
  if (deps.config.http.validateResponses) app.use(responseContract(routeSpecs, deps.logger));
  app.use(express.json({ limit: '1mb' }));
  // Built once: the document is a pure function of the route table.
  const openApiDocument = buildOpenApiDocument(routeSpecs, { version: '1.0.0' });
  app.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(JSON.stringify(openApiDocument));
  });
  app.get('/docs', (_req, res) => res.type('html').send(docsPage));
  app.get('/docs/docs.js', (_req, res) => res.type('application/javascript').send(docsScript));
  // Multipart bodies are parsed only by the routes that take files (multer); any other
  // url-encoded body gets a plain 400 from the routes' schemas.
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.get('/health/ready', async (req, res) => {
    const readiness = await deps.readiness();
    // Details (model ids, tool versions, paths) only for a caller with valid credentials.
    const caller = req.headers.authorization || req.headers['x-api-key'] || req.headers.cookie ? await deps.authenticate(req.headers).catch(() => undefined) : undefined;
    const body = caller ? { status: readiness.ok ? 'ready' : 'not ready', checks: readiness.checks } : publicReadiness(readiness);
    res.status(readiness.ok ? 200 : 503).json(body);
  });
  app.get('/metrics', async (_req, res) => {
    res.setHeader('Content-Type', deps.metrics.registry.contentType);
    res.send(await deps.metrics.registry.metrics());
  });
  const limits = deps.config.rateLimits;
  const limiter = (name: string, perMinute: number, byIp = false) =>
    rateLimit({
      redis: deps.redis,
      prefix: deps.config.queuePrefix,
      name,
      perMinute,
      identify: (locals, ip) => (byIp ? `ip:${ip}` : `key:${(locals.principal as { keyId: string }).keyId}`),
    });
  // Log-in is the one unauthenticated route: limited per IP against key guessing.
  app.use('/v1/session', limiter('login', 20, true));
  app.use('/v1', sessionRouter(deps));
  // The compatible APIs answer (errors included) in the shapes their clients expect, so they come
  // before Babelfish's own authentication and error handling.
  const openAi = openAiRouters(deps);
  app.use('/v1/audio', openAi.audio);
  app.use('/v1/models', openAi.models);
  app.use('/compat/whisper-asr', whisperAsrRouter(deps));
  app.use('/v1', requireAuth(deps.authenticate));
  // Submissions are expensive (storage, GPU/CPU minutes); reads are cheap but not free.
  app.post(['/v1/jobs', '/v1/uploads', '/v1/jobs/:id/retry', '/v1/jobs/:id/remux', '/v1/jobs/:id/languages'], limiter('submit', limits.submitPerMinute));
  app.use('/v1', limiter('read', limits.readPerMinute));
  app.use('/v1', jobsRouter(deps));
  app.use('/v1', jobActionsRouter(deps));
  app.use('/v1', metaRouter(deps));
  app.use('/v1', webhooksRouter(deps));
  app.use('/v1', uploadsRouter(deps));
  app.use('/v1', jobMediaRouter(deps));
  app.use('/v1', subtitlesRouter(deps));
  app.use('/v1', notFoundHandler);
  serveDashboard(app, deps.config.webDir);
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}

/** The dashboard's static build, with index.html for any other GET (its router uses the hash). */
function serveDashboard(app: express.Express, webDir: string): void {
  const index = path.join(webDir, 'index.html');
  if (!fs.existsSync(index)) return;
  app.use(express.static(webDir, { index: 'index.html', maxAge: '1h' }));
  app.get('/', (_req, res) => res.sendFile(index));
}
