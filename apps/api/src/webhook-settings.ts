import { AppError } from '@babelfish/core';
import type { Principal } from '@babelfish/db';
import { checkDestination, generateWebhookSecret, parseDestinationPolicy } from '@babelfish/webhooks';
import type { ApiDeps } from './deps';

/**
 * Where a new job's events go: the submission's webhookUrl, else the key's default, else
 * nowhere. The destination is checked now (a 400 at submission beats a silent failure a day
 * later) and again by the worker before each attempt.
 */
export async function resolveJobWebhook(deps: ApiDeps, principal: Principal, webhookUrl: string | undefined): Promise<{ url: string; keyId: string } | undefined> {
  const isLocal = principal.keyId === 'local';
  let url = webhookUrl;
  if (!url && !isLocal) url = (await deps.webhooks.settingsFor(principal.keyId, generateWebhookSecret))?.url ?? undefined;
  if (!url) return undefined;
  if (isLocal && !deps.config.webhooks.secret) {
    throw new AppError('BAD_REQUEST', 'Webhooks without API keys need WEBHOOK_SECRET set on the server (jobs are signed with it)');
  }
  await checkDestination(url, destinationPolicy(deps));
  return { url, keyId: principal.keyId };
}

const policies = new WeakMap<object, ReturnType<typeof parseDestinationPolicy>>();

export function destinationPolicy(deps: ApiDeps) {
  let policy = policies.get(deps.config);
  if (!policy) {
    policy = parseDestinationPolicy(deps.config.webhooks.allowedHosts.join(','));
    policies.set(deps.config, policy);
  }
  return policy;
}
