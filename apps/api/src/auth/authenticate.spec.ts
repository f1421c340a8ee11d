import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createApiKeyRepository, migrateToLatest, openDatabase, type DatabaseHandle } from '@babelfish/db';
import { createRedisConnection } from '@babelfish/queue';
import type { Redis } from 'ioredis';
import { createAuthenticator } from './authenticate';
import { createSessionStore, SESSION_COOKIE } from './sessions';

/** The key cache on a real SQLite key store and real Redis sessions, with a clock the test moves. */
describe('authenticator key cache', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let redis: Redis;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-auth-'));
    handle = openDatabase(`file:${path.join(dir, 'keys.db')}`);
    await migrateToLatest(handle.db);
    redis = createRedisConnection(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 'auth-spec');
  });
  afterAll(async () => {
    await handle.close();
    redis.disconnect();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('trusts a verified key for the TTL, then sees a revocation made in the database; forget() acts at once', async () => {
    const keys = createApiKeyRepository(handle.db);
    let clock = 1_000_000;
    const sessions = createSessionStore(redis, `auth-spec-${randomUUID()}`, 3600);
    const authenticate = createAuthenticator({ mode: 'api-key', keys, sessions, cacheTtlMs: 5000, now: () => clock });
    const { key, info } = await keys.create({ ownerId: 'dana', name: 'cache' });
    const headers = { authorization: `Bearer ${key}` };
    expect(await authenticate(headers)).toEqual({ ownerId: 'dana', keyId: info.id });

    // Revoked behind the API's back (no announcement): trusted until the TTL runs out, not after.
    await keys.revoke(info.id);
    clock += 4000;
    expect(await authenticate(headers)).toEqual({ ownerId: 'dana', keyId: info.id });
    clock += 1001;
    expect(await authenticate(headers)).toBeUndefined();

    // Announced revocation (forget): refused at once, for keys and for sessions made with them.
    const second = await keys.create({ ownerId: 'dana', name: 'cache-2' });
    const sessionId = await sessions.create({ ownerId: 'dana', keyId: second.info.id });
    const cookie = { cookie: `${SESSION_COOKIE}=${sessionId}` };
    expect(await authenticate({ authorization: `Bearer ${second.key}` })).toBeDefined();
    expect(await authenticate(cookie)).toEqual({ ownerId: 'dana', keyId: second.info.id });
    await keys.revoke(second.info.id);
    authenticate.forget?.(second.info.id);
    expect(await authenticate({ authorization: `Bearer ${second.key}` })).toBeUndefined();
    expect(await authenticate(cookie)).toBeUndefined();
    // A wrong key is never cached as good.
    expect(await authenticate({ authorization: `Bearer ${second.key.slice(0, -2)}xx` })).toBeUndefined();
  });
});
