import { AppError, getLanguage, type EngineName, type LanguagePair, type Segment } from '@babelfish/core';
import { describePairs, enginePreference, hasPair, type EngineAvailability, type EngineRegistry, type TranslationEngine } from '@babelfish/ml';
import type { Redis } from 'ioredis';

/**
 * The engines the running translate workers can use, as the API sees them. Each translate
 * worker writes what its own registry offers under a key of its own with a TTL and refreshes it
 * (engine-announcer.ts); a worker that dies stops refreshing and its entry expires. The API reads
 * the union on every check, so it needs no translation tools of its own and never offers a pair
 * that only a dead worker could translate.
 */

/** What one worker publishes. */
export type PublishedEngines = {
  workerId: string;
  engines: EngineAvailability[];
  publishedAt: string;
};

export function engineCatalogueKeyPattern(prefix: string): string {
  return `${prefix}:engines:*`;
}

export function engineCatalogueKey(prefix: string, workerId: string): string {
  return `${prefix}:engines:${workerId}`;
}

/** Every live worker's entry (expired ones are gone from Redis by then). */
export async function readPublishedEngines(connection: Redis, prefix: string): Promise<PublishedEngines[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await connection.scan(cursor, 'MATCH', engineCatalogueKeyPattern(prefix), 'COUNT', 100);
    keys.push(...batch);
    cursor = next;
  } while (cursor !== '0');
  if (keys.length === 0) return [];
  const values = await connection.mget(...keys);
  return values.flatMap((value) => {
    if (!value) return []; // expired between SCAN and MGET
    try {
      return [JSON.parse(value) as PublishedEngines];
    } catch {
      return [];
    }
  });
}

/** One entry per engine, its pairs the union over workers, in the registry's preference order. */
export function mergePublishedEngines(published: readonly PublishedEngines[]): EngineAvailability[] {
  return enginePreference.flatMap((engine) => {
    const pairs: LanguagePair[] = [];
    for (const entry of published) {
      for (const pair of entry.engines.find((candidate) => candidate.engine === engine)?.pairs ?? []) {
        if (!hasPair(pairs, pair)) pairs.push({ from: pair.from, to: pair.to });
      }
    }
    return pairs.length > 0 ? [{ engine, pairs }] : [];
  });
}

function noTranslateWorker(): AppError {
  return new AppError(
    'SERVICE_UNAVAILABLE',
    'No translate worker is running, so no language pair can be checked or translated; retry once one has started',
    { retryAfterSeconds: 5 },
  );
}

/**
 * An EngineRegistry over the workers' published engines, for the API: the same lookups and
 * errors as the registry itself (resolve order, UNSUPPORTED_LANGUAGE_PAIR listing what is
 * available), plus a 503 while no translate worker has published at all. Its engines answer
 * supports()/pairs() from the catalogue; translating is the workers' job, so translate() refuses.
 */
export function createEngineCatalogue(options: { connection: Redis; prefix: string }): EngineRegistry {
  const available = async (): Promise<EngineAvailability[]> => {
    const published = await readPublishedEngines(options.connection, options.prefix);
    if (published.length === 0) throw noTranslateWorker();
    return mergePublishedEngines(published);
  };
  const pairsOf = async (name: EngineName) => (await available()).find((entry) => entry.engine === name)?.pairs ?? [];
  const engine = (name: EngineName): TranslationEngine => ({
    name,
    pairs: () => pairsOf(name),
    supports: async (pair) => hasPair(await pairsOf(name), pair),
    translate: async (): Promise<Segment[]> => {
      throw new AppError('INTERNAL', `The ${name} engine runs on translate workers, not in the API`);
    },
  });

  return {
    get: engine,
    available,
    async resolve(from, to, preferred) {
      const pair = { from: getLanguage(from).code, to: getLanguage(to).code };
      const listed = await available();
      const order = preferred ? [preferred, ...enginePreference.filter((name) => name !== preferred)] : enginePreference;
      for (const name of order) {
        if (hasPair(listed.find((entry) => entry.engine === name)?.pairs ?? [], pair)) return engine(name);
      }
      throw new AppError(
        'UNSUPPORTED_LANGUAGE_PAIR',
        `No running worker translates ${pair.from} → ${pair.to}. Available pairs: ${describePairs(listed)}`,
        { from: pair.from, to: pair.to, available: listed },
      );
    },
  };
}
