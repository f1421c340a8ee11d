import { Router } from 'express';
import { z } from 'zod';
import { AppError } from '@babelfish/core';
import { checkDestination, generateWebhookSecret } from '@babelfish/webhooks';
import { principalOf } from '../auth/authenticate';
import type { ApiDeps } from '../deps';
import { destinationPolicy } from '../webhook-settings';
import { requireJob } from './require-job';

export const webhookSettingsSchema = z.object({ url: z.union([z.string().trim().min(1).max(2000), z.null()]) }).strict();

/**
 * The calling key's webhook settings (its signing secret and default destination) and each
 * job's delivery log. Without keys (AUTH_MODE=none) the secret is the server's WEBHOOK_SECRET,
 * which is configuration, so it is neither shown nor changed here.
 */
export function webhooksRouter(deps: ApiDeps): Router {
  const router = Router();

  const keyOf = (locals: Record<string, unknown>) => {
    const principal = principalOf(locals);
    if (principal.keyId === 'local') throw new AppError('BAD_REQUEST', 'Without API keys, webhooks are signed with the server\'s WEBHOOK_SECRET; set webhookUrl per job');
    return principal.keyId;
  };

  router.get('/webhook', async (_req, res) => {
    const keyId = keyOf(res.locals);
    const settings = await deps.webhooks.settingsFor(keyId, generateWebhookSecret);
    if (!settings) throw new AppError('NOT_FOUND', 'Key not found');
    res.json({ url: settings.url, secret: settings.secret, events: ['job.completed', 'job.failed', 'job.canceled'] });
  });

  router.put('/webhook', async (req, res) => {
    const keyId = keyOf(res.locals);
    const parsed = webhookSettingsSchema.safeParse(req.body ?? {});
    if (!parsed.success) throw new AppError('BAD_REQUEST', 'Send JSON {"url": "https://…"} or {"url": null}');
    if (parsed.data.url) await checkDestination(parsed.data.url, destinationPolicy(deps));
    await deps.webhooks.setDefaultUrl(keyId, parsed.data.url);
    const settings = await deps.webhooks.settingsFor(keyId, generateWebhookSecret);
    res.json({ url: settings?.url ?? null, secret: settings?.secret });
  });

  router.post('/webhook/secret', async (_req, res) => {
    const keyId = keyOf(res.locals);
    const secret = generateWebhookSecret();
    await deps.webhooks.rotateSecret(keyId, secret);
    res.json({ secret });
  });

  router.get('/jobs/:id/webhooks', async (req, res) => {
    const job = await requireJob(deps, req, res);
    const deliveries = await deps.webhooks.listForJob(job.id);
    res.json({
      url: job.options.webhook?.url ?? null,
      deliveries: deliveries.map(({ jobId: _jobId, id: _id, ...delivery }) => delivery),
    });
  });

  return router;
}
