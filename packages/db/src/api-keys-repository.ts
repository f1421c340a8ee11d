import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Kysely } from 'kysely';
import { AppError } from '@babelfish/core';
import type { Database } from './schema';

export type ApiKeyInfo = { id: string; ownerId: string; name: string; createdAt: string; revokedAt: string | null };
export type Principal = { ownerId: string; keyId: string };

const KEY_PREFIX = 'bf_';
const keyPattern = /^bf_([0-9a-f]{12})\.([A-Za-z0-9_-]{43})$/;
const ownerPattern = /^[A-Za-z0-9._@-]{1,64}$/;

const sha256 = (text: string) => createHash('sha256').update(text).digest();

/**
 * API keys: `bf_<id>.<secret>`. The id finds the row; only SHA-256(secret) is stored (the secret
 * is 256 random bits, so a fast hash is enough: there is nothing to brute-force), compared in
 * constant time. A revoked key stops working at once.
 */
export function createApiKeyRepository(db: Kysely<Database>) {
  return {
    async create(input: { ownerId: string; name: string }): Promise<{ key: string; info: ApiKeyInfo }> {
      if (!ownerPattern.test(input.ownerId)) throw new AppError('BAD_REQUEST', 'owner must be 1–64 letters, digits or . _ @ -');
      const id = randomBytes(6).toString('hex');
      const secret = randomBytes(32).toString('base64url');
      const createdAt = new Date().toISOString();
      const name = input.name.slice(0, 100) || 'key';
      await db
        .insertInto('api_keys')
        .values({ id, owner_id: input.ownerId, name, secret_hash: sha256(secret).toString('hex'), created_at: createdAt, revoked_at: null })
        .execute();
      return { key: `${KEY_PREFIX}${id}.${secret}`, info: { id, ownerId: input.ownerId, name, createdAt, revokedAt: null } };
    },

    async verify(key: string): Promise<Principal | undefined> {
      const match = keyPattern.exec(key.trim());
      if (!match) return undefined;
      const [, id, secret] = match as unknown as [string, string, string];
      const row = await db.selectFrom('api_keys').selectAll().where('id', '=', id).executeTakeFirst();
      if (!row || row.revoked_at) return undefined;
      const expected = Buffer.from(row.secret_hash, 'hex');
      const actual = sha256(secret);
      return expected.length === actual.length && timingSafeEqual(expected, actual) ? { ownerId: row.owner_id, keyId: row.id } : undefined;
    },

    async revoke(id: string): Promise<boolean> {
      const result = await db
        .updateTable('api_keys')
        .set({ revoked_at: new Date().toISOString() })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Of these key ids, the ones revoked since (sessions and sockets made with them must end). */
    async revokedAmong(ids: readonly string[]): Promise<string[]> {
      const wanted = [...new Set(ids)].filter((id) => /^[0-9a-f]{12}$/.test(id));
      if (wanted.length === 0) return [];
      const rows = await db.selectFrom('api_keys').select('id').where('id', 'in', wanted).where('revoked_at', 'is not', null).execute();
      return rows.map((row) => row.id);
    },

    async isActive(id: string): Promise<boolean> {
      const row = await db.selectFrom('api_keys').select('revoked_at').where('id', '=', id).executeTakeFirst();
      return row !== undefined && row.revoked_at === null;
    },

    async list(ownerId?: string): Promise<ApiKeyInfo[]> {
      let query = db.selectFrom('api_keys').selectAll().orderBy('created_at');
      if (ownerId) query = query.where('owner_id', '=', ownerId);
      return (await query.execute()).map((row) => ({ id: row.id, ownerId: row.owner_id, name: row.name, createdAt: row.created_at, revokedAt: row.revoked_at }));
    },
  };
}

export type ApiKeyRepository = ReturnType<typeof createApiKeyRepository>;
