import { AppError, expandRoutes, getLanguage, routesCover, type EngineName, type PairRoute, type Segment } from '@babelfish/core';
import { describePairs, enginePreference, pairLabel, type EngineAvailability, type EngineCheck, type EngineRegistry, type TranslationEngine } from '@babelfish/ml';
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

/** One entry per engine, its routes the union over workers, in the registry's preference order. */
export function mergePublishedEngines(published: readonly PublishedEngines[]): EngineAvailability[] {
  return enginePreference.flatMap((engine) => {
    const seen = new Set<string>();
    const routes: PairRoute[] = [];
    for (const entry of published) {
      for (const route of entry.engines.find((candidate) => candidate.engine === engine)?.routes ?? []) {
        const key = JSON.stringify(route);
        if (route.from.length === 0 || route.to.length === 0 || seen.has(key)) continue;
        seen.add(key);
        routes.push({ from: [...route.from], to: [...route.to] });
      }
    }
    return routes.length > 0 ? [{ engine, routes }] : [];
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
 * errors as the registry itself (a named engine is used or refused with ENGINE_UNAVAILABLE, never
 * swapped; with none named, the best available in the registry's order; UNSUPPORTED_LANGUAGE_PAIR
 * listing what is available), plus a 503 while no translate worker has published at all. Its
 * engines answer from the catalogue; translating is the workers' job, so translate() refuses.
 */
export function createEngineCatalogue(options: { connection: Redis; prefix: string }): EngineRegistry {
  const available = async (): Promise<EngineAvailability[]> => {
    const published = await readPublishedEngines(options.connection, options.prefix);
    if (published.length === 0) throw noTranslateWorker();
    return mergePublishedEngines(published);
  };
  const routesOf = async (name: EngineName) => (await available()).find((entry) => entry.engine === name)?.routes ?? [];
  const unavailableReason = async (name: EngineName, check: EngineCheck = {}): Promise<string | undefined> => {
    const routes = await routesOf(name);
    if (routes.length === 0) return 'no running translate worker offers it (its model, server or tool is missing there)';
    if (check.pair && !routesCover(routes, check.pair)) return `no running translate worker offers it for ${pairLabel(check.pair)}`;
    return undefined;
  };
  const engine = (name: EngineName): TranslationEngine => ({
    name,
    routes: () => routesOf(name),
    pairs: async () => expandRoutes(await routesOf(name)),
    supports: async (pair) => routesCover(await routesOf(name), pair),
    unavailableReason: (check) => unavailableReason(name, check),
    translate: async (): Promise<Segment[]> => {
      throw new AppError('INTERNAL', `The ${name} engine runs on translate workers, not in the API`);
    },
  });
  const assertUsable = async (name: EngineName, check: EngineCheck = {}): Promise<TranslationEngine> => {
    const reason = await unavailableReason(name, check);
    if (!reason) return engine(name);
    const what = check.pair ? `translate ${pairLabel(check.pair)}` : 'run';
    throw new AppError('ENGINE_UNAVAILABLE', `The ${name} engine cannot ${what} here: ${reason}`, { engine: name, reason, available: await available() });
  };

  return {
    get: engine,
    available,
    assertUsable,
    async resolve(from, to, named, resolveOptions = {}) {
      const pair = { from: getLanguage(from).code, to: getLanguage(to).code };
      if (named) return assertUsable(named, { pair, llmModel: resolveOptions.llmModel });
      const listed = await available();
      for (const name of enginePreference) {
        if (routesCover(listed.find((entry) => entry.engine === name)?.routes ?? [], pair)) return engine(name);
      }
      throw new AppError(
        'UNSUPPORTED_LANGUAGE_PAIR',
        `No running worker translates ${pair.from} → ${pair.to}. Available pairs: ${describePairs(listed)}`,
        { from: pair.from, to: pair.to, available: listed },
      );
    },
  };
}
