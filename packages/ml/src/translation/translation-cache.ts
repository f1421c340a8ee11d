import { createHash } from 'node:crypto';

/**
 * Finished line translations by a hash of everything that shapes them, so a re-run (a retried
 * job, the same video again, another job with the same glossary) never pays a paid engine twice.
 * The worker backs it with a database table; tests and the CLI may keep it in memory.
 */
export type TranslationCache = {
  get(keys: readonly string[]): Promise<Map<string, string>>;
  set(entries: readonly { key: string; text: string }[]): Promise<void>;
};

export type CacheKeyParts = {
  text: string;
  from: string;
  to: string;
  engine: string;
  model: string;
  glossary?: readonly { source: string; target: string }[];
  style?: string;
};

/** SHA-256 hex of the parts, in a fixed order (JSON of an array, so no two inputs collide). */
export function translationCacheKey(parts: CacheKeyParts): string {
  const glossary = (parts.glossary ?? []).map((term) => [term.source, term.target]);
  return createHash('sha256')
    .update(JSON.stringify([parts.text, parts.from, parts.to, parts.engine, parts.model, glossary, parts.style ?? '']))
    .digest('hex');
}

export function memoryTranslationCache(): TranslationCache {
  const entries = new Map<string, string>();
  return {
    get: async (keys) => new Map(keys.flatMap((key) => (entries.has(key) ? [[key, entries.get(key)!] as const] : []))),
    set: async (list) => {
      for (const { key, text } of list) entries.set(key, text);
    },
  };
}
