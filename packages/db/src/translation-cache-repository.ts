import type { Kysely } from 'kysely';
import type { Database } from './schema';

/**
 * Line translations by cache key (a SHA-256 of text, languages, engine, model, glossary and
 * style; see @babelfish/ml translation-cache.ts), shared by every worker on the database. Rows
 * are never updated: the same key always means the same request, so the first answer stands.
 */

/** Bound parameters per statement: well under SQLite's 32 766 and PostgreSQL's 65 535. */
const BATCH = 200;

export function createTranslationCacheRepository(db: Kysely<Database>) {
  return {
    async get(keys: readonly string[]): Promise<Map<string, string>> {
      const found = new Map<string, string>();
      const unique = [...new Set(keys)];
      for (let i = 0; i < unique.length; i += BATCH) {
        const rows = await db.selectFrom('translation_cache').select(['key', 'text']).where('key', 'in', unique.slice(i, i + BATCH)).execute();
        for (const row of rows) found.set(row.key, row.text);
      }
      return found;
    },
    async set(entries: readonly { key: string; text: string }[]): Promise<void> {
      const createdAt = new Date().toISOString();
      const unique = [...new Map(entries.map((entry) => [entry.key, entry.text])).entries()];
      for (let i = 0; i < unique.length; i += BATCH) {
        const values = unique.slice(i, i + BATCH).map(([key, text]) => ({ key, text, created_at: createdAt }));
        // Two workers may finish the same line at once: the second insert is a no-op.
        await db.insertInto('translation_cache').values(values).onConflict((conflict) => conflict.column('key').doNothing()).execute();
      }
    },
  };
}

export type TranslationCacheRepository = ReturnType<typeof createTranslationCacheRepository>;
