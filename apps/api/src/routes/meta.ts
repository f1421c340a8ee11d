import { Router } from 'express';
import { supportedLanguages } from '@babelfish/core';
import type { ApiDeps } from '../deps';

export function metaRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/languages', async (_req, res) => {
    const available = await deps.engines.available();
    res.json({
      languages: supportedLanguages.map(({ code, name }) => ({ code, name })),
      engines: available.map((entry) => ({ name: entry.engine, pairs: entry.pairs })),
    });
  });
  return router;
}
