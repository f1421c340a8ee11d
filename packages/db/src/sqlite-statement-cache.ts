import type BetterSqlite3 from 'better-sqlite3';

/** More distinct statements than the app has queries (IN lists of many lengths make new SQL). */
const MAX_STATEMENTS = 500;

/**
 * The database handed to Kysely's SQLite dialect, with prepared statements kept per SQL text.
 * Kysely prepares every query afresh, and preparing (parsing and planning the SQL) cost more than
 * running it: about a tenth of the API's CPU under a load of status reads. A statement is reused
 * only when it is not in the middle of an iteration (a stream); SQLite re-prepares a cached
 * statement itself when a migration changes the schema under it.
 */
export function withStatementCache(sqlite: BetterSqlite3.Database, maxStatements = MAX_STATEMENTS) {
  const statements = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => {
      statements.clear();
      sqlite.close();
    },
    prepare(sql: string): BetterSqlite3.Statement {
      const cached = statements.get(sql);
      if (cached && !cached.busy) return cached;
      const statement = sqlite.prepare(sql);
      if (cached) return statement; // the cached one is mid-stream: this one is used once
      // Oldest first out: a Map iterates in insertion order.
      if (statements.size >= maxStatements) statements.delete(statements.keys().next().value!);
      statements.set(sql, statement);
      return statement;
    },
  };
}
