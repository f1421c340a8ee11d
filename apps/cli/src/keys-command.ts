import { AppError } from '@babelfish/core';
import type { Config } from '@babelfish/config';
import { createApiKeyRepository, migrateToLatest, openDatabase } from '@babelfish/db';
import { announceKeyRevoked, createRequestRedisConnection, waitForRedisReady } from '@babelfish/queue';

/**
 * `babelfish keys create|list|revoke`: API keys are managed next to the database (an operator's
 * tool, not an HTTP endpoint, so no admin credential has to exist on the network).
 */
export async function keysCommand(config: Config, args: { action?: string; owner?: string; name?: string; id?: string }): Promise<string> {
  const database = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(database.db);
    const keys = createApiKeyRepository(database.db);
    switch (args.action) {
      case 'create': {
        if (!args.owner) throw new AppError('BAD_REQUEST', 'keys create needs --owner <name>');
        const { key, info } = await keys.create({ ownerId: args.owner, name: args.name ?? 'key' });
        return `Created key ${info.id} for ${info.ownerId}. It is shown only now; store it safely:\n${key}`;
      }
      case 'list': {
        const listed = await keys.list(args.owner);
        return listed.map((key) => `${key.id}  ${key.ownerId}  ${key.name}  created ${key.createdAt}${key.revokedAt ? `  REVOKED ${key.revokedAt}` : ''}`).join('\n') || 'No keys.';
      }
      case 'revoke': {
        if (!args.id) throw new AppError('BAD_REQUEST', 'keys revoke needs the key id');
        if (!(await keys.revoke(args.id))) throw new AppError('NOT_FOUND', `No active key ${args.id}`);
        const announced = await announceRevocation(config, args.id);
        return `Revoked key ${args.id}.${announced ? ' Its open sessions and sockets were closed.' : ' Redis did not answer: its sessions end within seconds, when the API next checks.'}`;
      }
      default:
        throw new AppError('BAD_REQUEST', 'Use: babelfish keys create --owner <name> [--name <label>] | keys list [--owner <name>] | keys revoke <id>');
    }
  } finally {
    await database.close();
  }
}

/**
 * Tells every API replica at once (they close the key's sockets and sessions). The database is
 * already updated, so an unreachable Redis only delays that to the replicas' next check.
 */
async function announceRevocation(config: Config, keyId: string): Promise<boolean> {
  const redis = createRequestRedisConnection(config.redisUrl, 'babelfish-cli', 2000);
  redis.on('error', () => undefined);
  try {
    if (!(await waitForRedisReady(redis, 2000))) return false;
    await announceKeyRevoked(redis, config.queuePrefix, keyId);
    return true;
  } catch {
    return false;
  } finally {
    redis.disconnect();
  }
}
