import fs from 'node:fs';
import path from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import { AppError } from '@babelfish/core';
import type { Database } from './schema';
import { withStatementCache } from './sqlite-statement-cache';

export type DatabaseKind = 'sqlite' | 'postgres';
export type DatabaseHandle = { db: Kysely<Database>; kind: DatabaseKind; close: () => Promise<void> };

/**
 * Opens the job store named by a URL: `file:path.db` (SQLite, the embedded default) or
 * `postgres://…` (production). Prisma was the design's choice, but its CLI downloads a native
 * schema engine from binaries.prisma.sh at migrate time, which offline machines cannot reach;
 * Kysely gives typed queries on both databases with pure-npm drivers.
 */
export type OpenDatabaseOptions = {
  /**
   * Told when PostgreSQL drops an idle pooled connection (a restart, an RDS failover, an
   * administrator's pg_terminate_backend). The pool discards that connection and opens a new one
   * on the next query; without a listener, pg's 'error' event would crash the whole process.
   */
  onIdleConnectionError?: (error: Error) => void;
};

export function openDatabase(url: string, options: OpenDatabaseOptions = {}): DatabaseHandle {
  // Each driver is imported when Kysely first connects (both dialects take a factory), so a
  // process loads only the one its URL names: pg cost a SQLite worker ~15 MB, better-sqlite3 a
  // PostgreSQL one ~7 MB (bench/README.md, "Main thread"). Every process migrates or queries at
  // start, so a database that cannot be opened still fails the boot.
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = async () => {
      const { default: pg } = await import('pg');
      const opened = new pg.Pool({ connectionString: url, max: 10 });
      opened.on('error', (error) => options.onIdleConnectionError?.(error));
      return opened;
    };
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length);
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const database = async () => {
      const { default: Sqlite } = await import('better-sqlite3');
      const sqlite: BetterSqlite3.Database = new Sqlite(file);
      // WAL lets the API read while a worker process writes progress.
      sqlite.pragma('journal_mode = WAL');
      sqlite.pragma('busy_timeout = 5000');
      sqlite.pragma('foreign_keys = ON');
      return withStatementCache(sqlite);
    };
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database }) });
    return { db, kind: 'sqlite', close: () => db.destroy() };
  }
  throw new AppError('INVALID_CONFIG', `DATABASE_URL must start with file: or postgres:// (got "${url.split(':')[0]}:")`);
}
