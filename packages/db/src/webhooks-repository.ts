import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from './schema';

export type WebhookDelivery = {
  id: string;
  jobId: string;
  messageId: string;
  event: string;
  url: string;
  attempt: number;
  statusCode: number | null;
  error: string | null;
  durationMs: number;
  createdAt: string;
};

export type KeyWebhookSettings = { url: string | null; secret: string };

/**
 * Webhook settings per API key and the delivery log per job. The secret is made lazily (keys
 * older than webhooks have none) by the caller-supplied generator, so this module needs no
 * knowledge of the signature scheme.
 */
export function createWebhookRepository(db: Kysely<Database>) {
  const repository = {
    /** The key's settings, making its secret on first use; undefined for an unknown key. */
    async settingsFor(keyId: string, makeSecret: () => string): Promise<KeyWebhookSettings | undefined> {
      const row = await db.selectFrom('api_keys').select(['webhook_secret', 'webhook_url']).where('id', '=', keyId).executeTakeFirst();
      if (!row) return undefined;
      if (row.webhook_secret) return { url: row.webhook_url, secret: row.webhook_secret };
      // Two callers may race to make the first secret: only one write wins, and both read it back.
      await db.updateTable('api_keys').set({ webhook_secret: makeSecret() }).where('id', '=', keyId).where('webhook_secret', 'is', null).execute();
      return repository.settingsFor(keyId, makeSecret);
    },

    async setDefaultUrl(keyId: string, url: string | null): Promise<void> {
      await db.updateTable('api_keys').set({ webhook_url: url }).where('id', '=', keyId).execute();
    },

    async rotateSecret(keyId: string, secret: string): Promise<void> {
      await db.updateTable('api_keys').set({ webhook_secret: secret }).where('id', '=', keyId).execute();
    },

    async recordAttempt(input: Omit<WebhookDelivery, 'id' | 'createdAt'>): Promise<WebhookDelivery> {
      const delivery: WebhookDelivery = { ...input, id: randomUUID(), createdAt: new Date().toISOString() };
      await db
        .insertInto('webhook_deliveries')
        .values({
          id: delivery.id,
          job_id: delivery.jobId,
          message_id: delivery.messageId,
          event: delivery.event,
          url: delivery.url,
          attempt: delivery.attempt,
          status_code: delivery.statusCode,
          error: delivery.error ? delivery.error.slice(0, 500) : null,
          duration_ms: Math.round(delivery.durationMs),
          created_at: delivery.createdAt,
        })
        .execute();
      return delivery;
    },

    async listForJob(jobId: string): Promise<WebhookDelivery[]> {
      const rows = await db.selectFrom('webhook_deliveries').selectAll().where('job_id', '=', jobId).orderBy('created_at').orderBy('attempt').execute();
      return rows.map((row) => ({
        id: row.id,
        jobId: row.job_id,
        messageId: row.message_id,
        event: row.event,
        url: row.url,
        attempt: Number(row.attempt),
        statusCode: row.status_code === null ? null : Number(row.status_code),
        error: row.error,
        durationMs: Number(row.duration_ms),
        createdAt: row.created_at,
      }));
    },

    async deleteForJob(jobId: string): Promise<void> {
      await db.deleteFrom('webhook_deliveries').where('job_id', '=', jobId).execute();
    },
  };
  return repository;
}

export type WebhookRepository = ReturnType<typeof createWebhookRepository>;
