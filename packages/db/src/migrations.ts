import { type Kysely, type Migration, type MigrationProvider, Migrator, sql } from 'kysely';
import { AppError } from '@babelfish/core';

/**
 * Migrations live in code (not files found at run time) so they work the same from tsx, jest
 * and a bundled build. Kysely records applied ones in its own table, on SQLite and PostgreSQL.
 */
const migrations: Record<string, Migration> = {
  '0001_jobs_and_outputs': {
    async up(db: Kysely<unknown>) {
      await db.schema
        .createTable('jobs')
        .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
        .addColumn('owner_id', 'varchar(64)')
        .addColumn('status', 'varchar(16)', (col) => col.notNull())
        .addColumn('stage', 'varchar(16)', (col) => col.notNull())
        .addColumn('percent', 'real', (col) => col.notNull().defaultTo(0))
        .addColumn('stage_progress', 'text', (col) => col.notNull().defaultTo('{}'))
        .addColumn('source_language', 'varchar(8)')
        .addColumn('detected_language', 'varchar(8)')
        .addColumn('target_languages', 'text', (col) => col.notNull())
        .addColumn('engine', 'varchar(16)')
        .addColumn('original_name', 'text', (col) => col.notNull())
        .addColumn('input_key', 'text', (col) => col.notNull())
        .addColumn('media_duration', 'real')
        .addColumn('error', 'text')
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .addColumn('updated_at', 'varchar(32)', (col) => col.notNull())
        .addColumn('completed_at', 'varchar(32)')
        .execute();
      await db.schema.createIndex('jobs_status_created').on('jobs').columns(['status', 'created_at']).execute();
      await db.schema.createIndex('jobs_owner_created').on('jobs').columns(['owner_id', 'created_at']).execute();
      await db.schema
        .createTable('job_outputs')
        .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
        .addColumn('job_id', 'varchar(64)', (col) => col.notNull().references('jobs.id').onDelete('cascade'))
        .addColumn('kind', 'varchar(16)', (col) => col.notNull())
        .addColumn('language', 'varchar(8)')
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('storage_key', 'text', (col) => col.notNull())
        .addColumn('bytes', 'bigint', (col) => col.notNull())
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('job_outputs_job').on('job_outputs').column('job_id').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('job_outputs').execute();
      await db.schema.dropTable('jobs').execute();
    },
  },
  '0002_subtitle_versions_runs_thumbnails': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('jobs').addColumn('runs', 'integer', (col) => col.notNull().defaultTo(1)).execute();
      await db.schema.alterTable('jobs').addColumn('thumbnail_key', 'text').execute();
      // Every edit is a new row: the previous version of a track is never overwritten.
      await db.schema
        .createTable('subtitle_versions')
        .addColumn('id', 'varchar(64)', (col) => col.primaryKey())
        .addColumn('job_id', 'varchar(64)', (col) => col.notNull().references('jobs.id').onDelete('cascade'))
        .addColumn('language', 'varchar(8)', (col) => col.notNull())
        .addColumn('kind', 'varchar(16)', (col) => col.notNull())
        .addColumn('version', 'integer', (col) => col.notNull())
        .addColumn('origin', 'varchar(16)', (col) => col.notNull())
        .addColumn('segments', 'text', (col) => col.notNull())
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .addUniqueConstraint('subtitle_versions_job_language_version', ['job_id', 'language', 'version'])
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('subtitle_versions').execute();
      await db.schema.alterTable('jobs').dropColumn('thumbnail_key').execute();
      await db.schema.alterTable('jobs').dropColumn('runs').execute();
    },
  },
  '0003_api_keys': {
    async up(db: Kysely<unknown>) {
      // Only a SHA-256 of each key's secret is stored; the key itself is shown once, at creation.
      await db.schema
        .createTable('api_keys')
        .addColumn('id', 'varchar(32)', (col) => col.primaryKey())
        .addColumn('owner_id', 'varchar(64)', (col) => col.notNull())
        .addColumn('name', 'text', (col) => col.notNull())
        .addColumn('secret_hash', 'varchar(64)', (col) => col.notNull())
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .addColumn('revoked_at', 'varchar(32)')
        .execute();
      await db.schema.createIndex('api_keys_owner').on('api_keys').column('owner_id').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('api_keys').execute();
    },
  },
  '0004_content_hash': {
    async up(db: Kysely<unknown>) {
      // SHA-256 of the upload: the same video submitted again reuses its transcript.
      await db.schema.alterTable('jobs').addColumn('content_hash', 'varchar(64)').execute();
      await db.schema.createIndex('jobs_owner_hash').on('jobs').columns(['owner_id', 'content_hash']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropIndex('jobs_owner_hash').execute();
      await db.schema.alterTable('jobs').dropColumn('content_hash').execute();
    },
  },
  '0005_job_options_quality': {
    async up(db: Kysely<unknown>) {
      // JSON text, like the other structured columns, so SQLite and PostgreSQL share one schema.
      await db.schema.alterTable('jobs').addColumn('options', 'text').execute();
      await db.schema.alterTable('jobs').addColumn('quality', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('jobs').dropColumn('quality').execute();
      await db.schema.alterTable('jobs').dropColumn('options').execute();
    },
  },
  '0006_media_summary': {
    async up(db: Kysely<unknown>) {
      await db.schema.alterTable('jobs').addColumn('media', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('jobs').dropColumn('media').execute();
    },
  },
  '0007_translation_cache': {
    async up(db: Kysely<unknown>) {
      // The llm engine's finished lines, so a re-run never pays for the same tokens twice.
      await db.schema
        .createTable('translation_cache')
        .addColumn('key', 'varchar(64)', (col) => col.primaryKey())
        .addColumn('text', 'text', (col) => col.notNull())
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('translation_cache').execute();
    },
  },
  '0011_webhooks': {
    async up(db: Kysely<unknown>) {
      // Per key: the Standard Webhooks signing secret (kept as is: HMAC needs it) and a default
      // destination for the key's jobs. Per job, one row per delivery attempt.
      await db.schema.alterTable('api_keys').addColumn('webhook_secret', 'text').execute();
      await db.schema.alterTable('api_keys').addColumn('webhook_url', 'text').execute();
      await db.schema
        .createTable('webhook_deliveries')
        .addColumn('id', 'varchar(36)', (col) => col.primaryKey())
        .addColumn('job_id', 'varchar(36)', (col) => col.notNull())
        .addColumn('message_id', 'varchar(80)', (col) => col.notNull())
        .addColumn('event', 'varchar(32)', (col) => col.notNull())
        .addColumn('url', 'text', (col) => col.notNull())
        .addColumn('attempt', 'integer', (col) => col.notNull())
        .addColumn('status_code', 'integer')
        .addColumn('error', 'text')
        .addColumn('duration_ms', 'integer', (col) => col.notNull())
        .addColumn('created_at', 'varchar(32)', (col) => col.notNull())
        .execute();
      await db.schema.createIndex('webhook_deliveries_job').on('webhook_deliveries').columns(['job_id', 'created_at']).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.dropTable('webhook_deliveries').execute();
      await db.schema.alterTable('api_keys').dropColumn('webhook_url').execute();
      await db.schema.alterTable('api_keys').dropColumn('webhook_secret').execute();
    },
  },
  '0008_job_usage': {
    async up(db: Kysely<unknown>) {
      // Per target language: the engine that translated it and the tokens spent (JSON); the
      // totals as columns, so usage can be summed in SQL (per owner, per month) for billing.
      await db.schema.alterTable('jobs').addColumn('translations', 'text').execute();
      await db.schema.alterTable('jobs').addColumn('prompt_tokens', 'integer', (col) => col.notNull().defaultTo(0)).execute();
      await db.schema.alterTable('jobs').addColumn('completion_tokens', 'integer', (col) => col.notNull().defaultTo(0)).execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('jobs').dropColumn('completion_tokens').execute();
      await db.schema.alterTable('jobs').dropColumn('prompt_tokens').execute();
      await db.schema.alterTable('jobs').dropColumn('translations').execute();
    },
  },
  '0010_compat_jobs': {
    async up(db: Kysely<unknown>) {
      // JSON TranscriptionRequest of a transcription-only job (OpenAI / whisper-asr APIs); null for video jobs.
      await db.schema.alterTable('jobs').addColumn('transcription', 'text').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('jobs').dropColumn('transcription').execute();
    },
  },
  '0012_job_error_code': {
    async up(db: Kysely<unknown>) {
      // The ErrorCode of a failed job, beside its readable reason: the compatibility APIs answer
      // a bad upload with its own status (415, 422, …), not a blanket 500.
      await db.schema.alterTable('jobs').addColumn('error_code', 'varchar(32)').execute();
    },
    async down(db: Kysely<unknown>) {
      await db.schema.alterTable('jobs').dropColumn('error_code').execute();
    },
  },
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the migrator works on any schema
export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) {
    throw new AppError('INTERNAL', `Database migration failed: ${String((error as Error).message ?? error)}`, undefined, { cause: error });
  }
  return (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
}

export { sql };
