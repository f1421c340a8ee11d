import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '@babelfish/core';
import { readCookie, SESSION_COOKIE } from '../auth/sessions';
import type { ApiDeps } from '../deps';

export const loginSchema = z.object({ apiKey: z.string().min(1).max(200) });

/** Dashboard log-in: trade an API key for an HttpOnly, SameSite=Strict session cookie. */
export function sessionRouter(deps: ApiDeps): Router {
  const router = Router();
  const cookieOptions = { httpOnly: true, sameSite: 'strict' as const, secure: deps.config.auth.secureCookies, path: '/' };

  router.post('/session', async (req, res) => {
    const parsed = loginSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'Send JSON { "apiKey": "bf_…" }');
    const principal = deps.config.auth.mode === 'none' ? { ownerId: 'local', keyId: 'local' } : await deps.apiKeys.verify(parsed.data.apiKey);
    if (!principal) throw new AppError('UNAUTHORIZED', 'That API key is not valid (or was revoked)');
    const token = await deps.sessions.create(principal);
    res.cookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: deps.sessions.ttlSeconds * 1000 });
    res.json({ ownerId: principal.ownerId });
  });

  router.get('/session', async (req, res) => {
    const principal = await deps.authenticate(req.headers);
    if (!principal) throw new AppError('UNAUTHORIZED', 'Not logged in');
    res.json({ ownerId: principal.ownerId, authMode: deps.config.auth.mode });
  });

  router.delete('/session', async (req, res) => {
    const token = readCookie(req.headers.cookie, SESSION_COOKIE);
    if (token) await deps.sessions.destroy(token);
    res.clearCookie(SESSION_COOKIE, cookieOptions);
    res.status(204).end();
  });

  return router;
}
