import { randomUUID } from 'node:crypto';
import { isAppError } from '@babelfish/core';
import { createRedisConnection } from './connection';
import { createEngineCatalogue, engineCatalogueKey, mergePublishedEngines, type PublishedEngines } from './engine-catalogue';

const entry = (workerId: string, engines: PublishedEngines['engines']): PublishedEngines => ({ workerId, engines, publishedAt: new Date(0).toISOString() });

describe('mergePublishedEngines', () => {
  it('unions each engine’s pairs over workers, once each, in the registry’s preference order', () => {
    const merged = mergePublishedEngines([
      entry('a', [{ engine: 'apertium', pairs: [{ from: 'en', to: 'es' }] }, { engine: 'whisper', pairs: [{ from: 'es', to: 'en' }] }]),
      entry('b', [{ engine: 'apertium', pairs: [{ from: 'en', to: 'es' }, { from: 'fr', to: 'es' }] }, { engine: 'marian', pairs: [{ from: 'en', to: 'de' }] }]),
    ]);
    expect(merged).toEqual([
      { engine: 'marian', pairs: [{ from: 'en', to: 'de' }] },
      { engine: 'apertium', pairs: [{ from: 'en', to: 'es' }, { from: 'fr', to: 'es' }] },
      { engine: 'whisper', pairs: [{ from: 'es', to: 'en' }] },
    ]);
  });
});

describe('createEngineCatalogue (real Redis)', () => {
  const prefix = `test-catalogue-spec-${randomUUID()}`;
  const connection = createRedisConnection(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 'babelfish-test-catalogue-spec');
  const catalogue = createEngineCatalogue({ connection, prefix });

  afterAll(async () => {
    const keys = await connection.keys(`${prefix}:*`);
    if (keys.length > 0) await connection.del(...keys);
    connection.disconnect();
  });

  it('is unavailable (503, retry later) until a worker has published', async () => {
    const error = await catalogue.available().catch((caught: unknown) => caught);
    expect(isAppError(error) && [error.code, error.httpStatus, error.details?.retryAfterSeconds]).toEqual(['SERVICE_UNAVAILABLE', 503, 5]);
  });

  it('resolves like the registry: best engine first, a preferred one when it can, a 400 listing pairs otherwise', async () => {
    await connection.set(engineCatalogueKey(prefix, 'one'), JSON.stringify(entry('one', [{ engine: 'apertium', pairs: [{ from: 'en', to: 'es' }] }])), 'PX', 60_000);
    await connection.set(engineCatalogueKey(prefix, 'two'), JSON.stringify(entry('two', [{ engine: 'marian', pairs: [{ from: 'en', to: 'es' }] }])), 'PX', 60_000);
    expect((await catalogue.resolve('en', 'es')).name).toBe('marian');
    expect((await catalogue.resolve('en', 'es', 'apertium')).name).toBe('apertium');
    // A preferred engine that cannot do the pair falls back as the registry does.
    expect((await catalogue.resolve('en', 'es', 'nllb')).name).toBe('marian');
    expect(await catalogue.get('apertium').supports({ from: 'en', to: 'es' })).toBe(true);
    expect(await catalogue.get('nllb').supports({ from: 'en', to: 'es' })).toBe(false);
    const refused = await catalogue.resolve('en', 'ja').catch((caught: unknown) => caught);
    expect(isAppError(refused) && [refused.code, refused.message]).toEqual(['UNSUPPORTED_LANGUAGE_PAIR', 'No running worker translates en → ja. Available pairs: en→es (marian, apertium)']);
    await expect(catalogue.get('apertium').translate({ segments: [], from: 'en', to: 'es' })).rejects.toThrow(/runs on translate workers/);
  });
});
