import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import type { JobOptions, JobStatus, JobTranslation, MediaSummary, OutputKind, QualityReport, Stage, TranscriptionRequest } from '@babelfish/core';
import type { Database, JobsTable, OutputsTable } from './schema';

export type StageProgress = { transcribe?: number; translate?: Record<string, number>; mux?: number };

export type JobRecord = {
  id: string;
  ownerId: string | null;
  status: JobStatus;
  stage: Stage;
  percent: number;
  stageProgress: StageProgress;
  sourceLanguage: string | null;
  detectedLanguage: string | null;
  targetLanguages: string[];
  engine: string | null;
  originalName: string;
  inputKey: string;
  mediaDuration: number | null;
  error: string | null;
  /** Why it failed, as an ErrorCode (what the compatibility APIs turn into a status); null unless failed. */
  errorCode: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  /** How many times the pipeline (or part of it) was started: retries and re-muxes add one. */
  runs: number;
  thumbnailKey: string | null;
  contentHash: string | null;
  /** What the submitter asked for beyond languages (glossary, burn-in, dubbing, subtitle rules). */
  options: JobOptions;
  /** Subtitle quality checks of the last mux run. */
  quality: QualityReport | null;
  /** The upload's streams as probed at submission; null for jobs made before it was kept. */
  media: MediaSummary | null;
  /** Per target language translated so far: the engine used and the tokens it spent. */
  translations: Record<string, JobTranslation>;
  /** The llm engine's tokens over all languages and runs. */
  usage: { promptTokens: number; completionTokens: number };
  /**
   * Set for a transcription-only job (OpenAI / whisper-asr compatible APIs): no videos, no
   * thumbnail, one output in the requested format. Null for a video job.
   */
  transcription: TranscriptionRequest | null;
};

export type OutputRecord = {
  id: string;
  jobId: string;
  kind: OutputKind;
  language: string | null;
  name: string;
  storageKey: string;
  bytes: number;
  createdAt: string;
};

export type NewJob = {
  id?: string;
  ownerId?: string | null;
  sourceLanguage?: string | null;
  targetLanguages: string[];
  engine?: string | null;
  originalName: string;
  inputKey: string;
  mediaDuration?: number | null;
  contentHash?: string | null;
  options?: JobOptions;
  media?: MediaSummary | null;
  transcription?: TranscriptionRequest | null;
};

export type ProgressUpdate = { stage: Stage; percent: number; stageProgress: StageProgress; status?: JobStatus };

function toJob(row: Selectable<JobsTable>): JobRecord {
  return {
    id: row.id,
    ownerId: row.owner_id,
    status: row.status as JobStatus,
    stage: row.stage as Stage,
    percent: Number(row.percent),
    stageProgress: JSON.parse(row.stage_progress) as StageProgress,
    sourceLanguage: row.source_language,
    detectedLanguage: row.detected_language,
    targetLanguages: JSON.parse(row.target_languages) as string[],
    engine: row.engine,
    originalName: row.original_name,
    inputKey: row.input_key,
    mediaDuration: row.media_duration === null ? null : Number(row.media_duration),
    error: row.error,
    errorCode: row.error_code,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    completedAt: row.completed_at,
    runs: Number(row.runs),
    thumbnailKey: row.thumbnail_key,
    contentHash: row.content_hash,
    options: row.options ? (JSON.parse(row.options) as JobOptions) : {},
    quality: row.quality ? (JSON.parse(row.quality) as QualityReport) : null,
    media: row.media ? (JSON.parse(row.media) as MediaSummary) : null,
    translations: row.translations ? (JSON.parse(row.translations) as Record<string, JobTranslation>) : {},
    usage: { promptTokens: Number(row.prompt_tokens ?? 0), completionTokens: Number(row.completion_tokens ?? 0) },
    transcription: row.transcription ? (JSON.parse(row.transcription) as TranscriptionRequest) : null,
  };
}

function toOutput(row: Selectable<OutputsTable>): OutputRecord {
  return {
    id: row.id,
    jobId: row.job_id,
    kind: row.kind as OutputKind,
    language: row.language,
    name: row.name,
    storageKey: row.storage_key,
    bytes: Number(row.bytes),
    createdAt: row.created_at,
  };
}

const now = () => new Date().toISOString();

/** The durable job row is the source of truth for status; queues only carry work. */
export function createJobRepository(db: Kysely<Database>) {
  return {
    async create(input: NewJob): Promise<JobRecord> {
      const timestamp = now();
      const row: JobsTable = {
        id: input.id ?? randomUUID(),
        owner_id: input.ownerId ?? null,
        status: 'queued',
        stage: 'upload',
        percent: 0,
        stage_progress: '{}',
        source_language: input.sourceLanguage ?? null,
        detected_language: null,
        target_languages: JSON.stringify(input.targetLanguages),
        engine: input.engine ?? null,
        original_name: input.originalName,
        input_key: input.inputKey,
        media_duration: input.mediaDuration ?? null,
        error: null,
        error_code: null,
        created_at: timestamp,
        updated_at: timestamp,
        completed_at: null,
        runs: 1,
        thumbnail_key: null,
        content_hash: input.contentHash ?? null,
        options: input.options && Object.keys(input.options).length > 0 ? JSON.stringify(input.options) : null,
        quality: null,
        media: input.media ? JSON.stringify(input.media) : null,
        translations: null,
        prompt_tokens: 0,
        completion_tokens: 0,
        transcription: input.transcription ? JSON.stringify(input.transcription) : null,
      };
      await db.insertInto('jobs').values(row).execute();
      return toJob(row);
    },

    async get(id: string): Promise<JobRecord | undefined> {
      const row = await db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
      return row ? toJob(row) : undefined;
    },

    async list(options: { status?: JobStatus; limit?: number; ownerId?: string | null } = {}): Promise<JobRecord[]> {
      let query = db.selectFrom('jobs').selectAll().orderBy('created_at', 'desc').limit(options.limit ?? 50);
      if (options.status) query = query.where('status', '=', options.status);
      if (options.ownerId !== undefined) {
        query = options.ownerId === null ? query.where('owner_id', 'is', null) : query.where('owner_id', '=', options.ownerId);
      }
      return (await query.execute()).map(toJob);
    },

    /** Earlier jobs of the same owner on the same bytes, newest first: candidates for transcript reuse. */
    async findSameContent(job: { id: string; ownerId: string | null; contentHash: string | null }): Promise<JobRecord[]> {
      if (!job.contentHash) return [];
      let query = db.selectFrom('jobs').selectAll().where('content_hash', '=', job.contentHash).where('id', '!=', job.id);
      query = job.ownerId === null ? query.where('owner_id', 'is', null) : query.where('owner_id', '=', job.ownerId);
      return (await query.orderBy('created_at', 'desc').limit(10).execute()).map(toJob);
    },

    /** Adds target languages to a finished job (translate + mux run again for them only). */
    async addTargetLanguages(id: string, languages: string[]): Promise<void> {
      const job = await this.get(id);
      if (!job) return;
      const merged = [...new Set([...job.targetLanguages, ...languages])];
      await db.updateTable('jobs').set({ target_languages: JSON.stringify(merged), updated_at: now() }).where('id', '=', id).execute();
    },

    async countByStatus(): Promise<Record<JobStatus, number>> {
      const rows = await db.selectFrom('jobs').select((eb) => ['status', eb.fn.countAll<string>().as('count')]).groupBy('status').execute();
      const counts = { queued: 0, processing: 0, completed: 0, failed: 0 } as Record<JobStatus, number>;
      for (const row of rows) counts[row.status as JobStatus] = Number(row.count);
      return counts;
    },

    /** A failed or completed job stays in its terminal state: late progress never overwrites it. */
    async updateProgress(id: string, update: ProgressUpdate): Promise<void> {
      await db
        .updateTable('jobs')
        .set({
          stage: update.stage,
          percent: update.percent,
          stage_progress: JSON.stringify(update.stageProgress),
          status: update.status ?? 'processing',
          updated_at: now(),
        })
        .where('id', '=', id)
        .where('status', 'not in', ['failed', 'completed', 'canceled'])
        .execute();
    },

    async setLanguages(id: string, languages: { source: string; detected: string | null }): Promise<void> {
      await db
        .updateTable('jobs')
        .set({ source_language: languages.source, detected_language: languages.detected, updated_at: now() })
        .where('id', '=', id)
        .execute();
    },

    async setMediaDuration(id: string, seconds: number): Promise<void> {
      await db.updateTable('jobs').set({ media_duration: seconds, updated_at: now() }).where('id', '=', id).execute();
    },

    /** What the job's first step found in the upload (submissions answered before probing it). */
    async setProbedMedia(id: string, probed: { media: MediaSummary; durationSeconds: number }): Promise<void> {
      await db.updateTable('jobs').set({ media: JSON.stringify(probed.media), media_duration: probed.durationSeconds, updated_at: now() }).where('id', '=', id).execute();
    },

    async setContentHash(id: string, hash: string): Promise<void> {
      await db.updateTable('jobs').set({ content_hash: hash }).where('id', '=', id).execute();
    },

    async setQuality(id: string, report: QualityReport): Promise<void> {
      await db.updateTable('jobs').set({ quality: JSON.stringify(report), updated_at: now() }).where('id', '=', id).execute();
    },

    /**
     * Records what translated `language` in this run: the engine replaces the previous run's,
     * the tokens add to them, and the job's totals follow. Languages finish in parallel on
     * different workers, so the read-merge-write runs in a transaction that writes the row
     * first: that locks it (PostgreSQL) or the database (SQLite) until the merge is saved.
     */
    async recordTranslation(id: string, language: string, run: JobTranslation): Promise<void> {
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('jobs').set({ updated_at: now() }).where('id', '=', id).execute();
        const row = await trx.selectFrom('jobs').select('translations').where('id', '=', id).executeTakeFirst();
        if (!row) return;
        const all = row.translations ? (JSON.parse(row.translations) as Record<string, JobTranslation>) : {};
        const previous = all[language];
        all[language] = {
          ...run,
          promptTokens: run.promptTokens + (previous?.promptTokens ?? 0),
          completionTokens: run.completionTokens + (previous?.completionTokens ?? 0),
        };
        const entries = Object.values(all);
        await trx
          .updateTable('jobs')
          .set({
            translations: JSON.stringify(all),
            prompt_tokens: entries.reduce((sum, entry) => sum + entry.promptTokens, 0),
            completion_tokens: entries.reduce((sum, entry) => sum + entry.completionTokens, 0),
          })
          .where('id', '=', id)
          .execute();
      });
    },

    async setThumbnail(id: string, key: string): Promise<void> {
      await db.updateTable('jobs').set({ thumbnail_key: key }).where('id', '=', id).execute();
    },

    /**
     * Starts another run (retry from the top, or re-mux after an edit): back to queued, the old
     * error cleared, and the run counter bumped so the queue sees new job ids.
     */
    async restart(id: string, from: { stage: Stage; percent: number; stageProgress: StageProgress }): Promise<JobRecord> {
      await db
        .updateTable('jobs')
        .set((eb) => ({
          status: 'queued',
          stage: from.stage,
          percent: from.percent,
          stage_progress: JSON.stringify(from.stageProgress),
          error: null,
          error_code: null,
          completed_at: null,
          updated_at: now(),
          runs: eb('runs', '+', 1),
        }))
        .where('id', '=', id)
        .execute();
      const job = await this.get(id);
      if (!job) throw new Error(`job ${id} vanished during restart`);
      return job;
    },

    async markCompleted(id: string): Promise<void> {
      const timestamp = now();
      await db
        .updateTable('jobs')
        .set({ status: 'completed', stage: 'mux', percent: 100, error: null, error_code: null, updated_at: timestamp, completed_at: timestamp })
        .where('id', '=', id)
        // A canceled job stays canceled, whatever a stage still running finishes afterwards.
        .where('status', '!=', 'canceled')
        .execute();
    },

    /**
     * Ends a job that has not ended yet as canceled, with `reason`; false when it had already
     * ended (completed, failed or canceled), which then stands.
     */
    async cancelIfRunning(id: string, reason: string): Promise<boolean> {
      const timestamp = now();
      const result = await db
        .updateTable('jobs')
        .set({ status: 'canceled', error: reason, updated_at: timestamp, completed_at: timestamp })
        .where('id', '=', id)
        .where('status', 'not in', ['failed', 'completed', 'canceled'])
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    /** Completes a job unless it ended meanwhile (canceled): false then, and it stays as it is. */
    async completeIfRunning(id: string): Promise<boolean> {
      const timestamp = now();
      const result = await db
        .updateTable('jobs')
        .set({ status: 'completed', stage: 'mux', percent: 100, error: null, error_code: null, updated_at: timestamp, completed_at: timestamp })
        .where('id', '=', id)
        .where('status', 'not in', ['failed', 'completed', 'canceled'])
        .executeTakeFirst();
      return Number(result.numUpdatedRows) > 0;
    },

    async markFailed(id: string, reason: string, code: string | null = null): Promise<void> {
      const timestamp = now();
      await db
        .updateTable('jobs')
        .set({ status: 'failed', error: reason, error_code: code, updated_at: timestamp, completed_at: timestamp })
        .where('id', '=', id)
        .where('status', '!=', 'canceled')
        .execute();
    },

    /** Re-muxing replaces a job's outputs as a whole, so the list never mixes two runs. */
    async replaceOutputs(jobId: string, outputs: Omit<OutputRecord, 'id' | 'jobId' | 'createdAt'>[]): Promise<OutputRecord[]> {
      const timestamp = now();
      const rows: OutputsTable[] = outputs.map((output) => ({
        id: randomUUID(),
        job_id: jobId,
        kind: output.kind,
        language: output.language,
        name: output.name,
        storage_key: output.storageKey,
        bytes: output.bytes,
        created_at: timestamp,
      }));
      await db.transaction().execute(async (trx) => {
        await trx.deleteFrom('job_outputs').where('job_id', '=', jobId).execute();
        if (rows.length > 0) await trx.insertInto('job_outputs').values(rows).execute();
      });
      return rows.map(toOutput);
    },

    async listOutputs(jobId: string): Promise<OutputRecord[]> {
      const rows = await db.selectFrom('job_outputs').selectAll().where('job_id', '=', jobId).orderBy('name').execute();
      return rows.map(toOutput);
    },

    async getOutput(jobId: string, outputId: string): Promise<OutputRecord | undefined> {
      const row = await db.selectFrom('job_outputs').selectAll().where('job_id', '=', jobId).where('id', '=', outputId).executeTakeFirst();
      return row ? toOutput(row) : undefined;
    },

    async delete(id: string): Promise<void> {
      await db.deleteFrom('job_outputs').where('job_id', '=', id).execute();
      await db.deleteFrom('jobs').where('id', '=', id).execute();
    },
  };
}

export type JobRepository = ReturnType<typeof createJobRepository>;
