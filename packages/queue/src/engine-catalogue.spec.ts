import { randomUUID } from 'node:crypto';
import { isAppError } from '@babelfish/core';
import { createRedisConnection } from './connection';
import { createEngineCatalogue, engineCatalogueKey, mergePublishedEngines, type PublishedEngines } from './engine-catalogue';

const entry = (workerId: string, engines: PublishedEngines['engines']): PublishedEngines => ({ workerId, engines, publishedAt: new Date(0).toISOString() });
const route = (from: string[], to: string[]) => ({ from, to });

describe('mergePublishedEngines', () => {
  it('unions each engine’s routes over workers, once each, in the registry’s preference order', () => {
    const merged = mergePublishedEngines([
      entry('a', [{ engine: 'apertium', routes: [route(['en'], ['es'])] }, { engine: 'whisper', routes: [route(['es'], ['en'])] }]),
      entry('b', [{ engine: 'apertium', routes: [route(['en'], ['es']), route(['fr'], ['es'])] }, { engine: 'marian', routes: [route(['en'], ['de'])] }, { engine: 'nllb', routes: [route([], [])] }]),
    ]);
    expect(merged).toEqual([
      { engine: 'marian', routes: [route(['en'], ['de'])] },
      { engine: 'apertium', routes: [route(['en'], ['es']), route(['fr'], ['es'])] },
      { engine: 'whisper', routes: [route(['es'], ['en'])] },
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

  it('resolves like the registry: best engine first, a named one or ENGINE_UNAVAILABLE, a 400 listing pairs otherwise', async () => {
    await connection.set(engineCatalogueKey(prefix, 'one'), JSON.stringify(entry('one', [{ engine: 'apertium', routes: [route(['en'], ['es'])] }])), 'PX', 60_000);
    await connection.set(engineCatalogueKey(prefix, 'two'), JSON.stringify(entry('two', [{ engine: 'marian', routes: [route(['en'], ['es'])] }])), 'PX', 60_000);
    expect((await catalogue.resolve('en', 'es')).name).toBe('marian');
    expect((await catalogue.resolve('en', 'es', 'apertium')).name).toBe('apertium');
    // A named engine no worker offers is refused, never swapped (as the registry does).
    const named = await catalogue.resolve('en', 'es', 'nllb').catch((caught: unknown) => caught);
    expect(isAppError(named) && [named.code, named.httpStatus, named.details?.engine]).toEqual(['ENGINE_UNAVAILABLE', 422, 'nllb']);
    const wrongPair = await catalogue.assertUsable('apertium', { pair: { from: 'en', to: 'fr' } }).catch((caught: unknown) => caught);
    expect(isAppError(wrongPair) && wrongPair.message).toBe('The apertium engine cannot translate en → fr here: no running translate worker offers it for en → fr');
    expect(await catalogue.get('apertium').supports({ from: 'en', to: 'es' })).toBe(true);
    expect(await catalogue.get('nllb').supports({ from: 'en', to: 'es' })).toBe(false);
    const refused = await catalogue.resolve('en', 'ja').catch((caught: unknown) => caught);
    expect(isAppError(refused) && [refused.code, refused.message]).toEqual(['UNSUPPORTED_LANGUAGE_PAIR', 'No running worker translates en → ja. Available pairs: en→es (marian, apertium)']);
    await expect(catalogue.get('apertium').translate({ segments: [], from: 'en', to: 'es' })).rejects.toThrow(/runs on translate workers/);
  });
});
