import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '@babelfish/core';
import { principalOf } from '../auth/authenticate';
import type { ApiDeps } from '../deps';

export const createUploadSchema = z.object({ name: z.string().max(255).default('video'), size: z.number().int().positive() });

export function uploadsRouter(deps: ApiDeps): Router {
  const router = Router();

  router.post('/uploads', async (req, res) => {
    const parsed = createUploadSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'Send JSON { "name": string, "size": bytes }');
    const upload = await deps.uploads.create({ ...parsed.data, ownerId: principalOf(res.locals).ownerId });
    res.status(201).location(`/v1/uploads/${upload.id}`).json({ upload });
  });

  router.get('/uploads/:id', async (req, res) => {
    res.json({ upload: await deps.uploads.get(String(req.params.id), principalOf(res.locals).ownerId) });
  });

  router.patch('/uploads/:id', async (req, res) => {
    const offset = Number(req.header('upload-offset'));
    if (!Number.isSafeInteger(offset) || offset < 0) throw new AppError('BAD_REQUEST', 'Send the chunk\'s position in an Upload-Offset header');
    const upload = await deps.uploads.append(String(req.params.id), principalOf(res.locals).ownerId, offset, req);
    res.json({ upload });
  });

  return router;
}
