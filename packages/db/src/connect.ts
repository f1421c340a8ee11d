import fs from 'node:fs';
import path from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, PostgresDialect, SqliteDialect } from 'kysely';
import pg from 'pg';
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
  if (url.startsWith('postgres://') || url.startsWith('postgresql://')) {
    const pool = new pg.Pool({ connectionString: url, max: 10 });
    pool.on('error', (error) => options.onIdleConnectionError?.(error));
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    return { db, kind: 'postgres', close: () => db.destroy() };
  }
  if (url.startsWith('file:')) {
    const file = url.slice('file:'.length);
    if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    const sqlite = new BetterSqlite3(file);
    // WAL lets the API read while a worker process writes progress.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
    return { db, kind: 'sqlite', close: () => db.destroy() };
  }
  throw new AppError('INVALID_CONFIG', `DATABASE_URL must start with file: or postgres:// (got "${url.split(':')[0]}:")`);
}
