import express from 'express';
import helmet from 'helmet';
import type { ApiDeps } from './deps';
import { errorHandler, notFoundHandler } from './http-errors';
import { jobsRouter } from './routes/jobs';
import { metaRouter } from './routes/meta';

export function createApp(deps: ApiDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.use(helmet());
  app.use(express.json({ limit: '1mb' }));
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok' });
  });
  app.use('/v1', jobsRouter(deps));
  app.use('/v1', metaRouter(deps));
  app.use(notFoundHandler);
  app.use(errorHandler(deps.logger));
  return app;
}
