import { randomUUID } from 'node:crypto';
import type { Kysely, Selectable } from 'kysely';
import { AppError, type Segment } from '@babelfish/core';
import type { Database, SubtitleVersionsTable } from './schema';

export type SubtitleKind = 'source' | 'translation';
/** engine: Whisper or a translation engine; import: a subtitle file the submitter gave; edit: a person's edit. */
export type SubtitleOrigin = 'engine' | 'import' | 'edit';

export type SubtitleTrack = {
  jobId: string;
  language: string;
  kind: SubtitleKind;
  version: number;
  origin: SubtitleOrigin;
  segments: Segment[];
  createdAt: string;
};

function toTrack(row: Selectable<SubtitleVersionsTable>): SubtitleTrack {
  return {
    jobId: row.job_id,
    language: row.language,
    kind: row.kind as SubtitleKind,
    version: Number(row.version),
    origin: row.origin as SubtitleOrigin,
    segments: JSON.parse(row.segments) as Segment[],
    createdAt: row.created_at,
  };
}

export type SubtitleRepositoryOptions = {
  /**
   * Versions kept per track, at least 2: the first (the engine's original, so it can always be
   * restored) and the newest others. Saving prunes the rest; version numbers are never reused.
   */
  maxVersions?: number;
};

const DEFAULT_MAX_VERSIONS = 20;

/**
 * Subtitle tracks, versioned: the engine's output is version 1 and each edit adds the next
 * version, so an earlier text can be recovered (the original and the newest maxVersions − 1).
 * Mux reads the latest version.
 */
export function createSubtitleRepository(db: Kysely<Database>, options: SubtitleRepositoryOptions = {}) {
  const maxVersions = Math.max(2, options.maxVersions ?? DEFAULT_MAX_VERSIONS);
  /** Every saved version of one job's track in one language. */
  const versionsOf = (jobId: string, language: string) =>
    db.selectFrom('subtitle_versions').selectAll().where('job_id', '=', jobId).where('language', '=', language);

  /** The first and the latest version numbers of a track; 0 and 0 when it has none. */
  async function versionRange(jobId: string, language: string): Promise<{ first: number; latest: number }> {
    const row = await db
      .selectFrom('subtitle_versions')
      .select((eb) => [eb.fn.min('version').as('first'), eb.fn.max('version').as('latest')])
      .where('job_id', '=', jobId)
      .where('language', '=', language)
      .executeTakeFirst();
    return { first: Number(row?.first ?? 0), latest: Number(row?.latest ?? 0) };
  }

  async function latestVersion(jobId: string, language: string): Promise<number> {
    return (await versionRange(jobId, language)).latest;
  }

  /** Deletes every version but the first and the newest maxVersions − 1 (`latest` among them). */
  async function prune(jobId: string, language: string, first: number, latest: number): Promise<void> {
    const oldestKept = latest - (maxVersions - 2);
    if (oldestKept <= first + 1) return;
    await db
      .deleteFrom('subtitle_versions')
      .where('job_id', '=', jobId)
      .where('language', '=', language)
      .where('version', '>', first)
      .where('version', '<', oldestKept)
      .execute();
  }

  return {
    latestVersion,

    /**
     * Appends a version and prunes the oldest edits past maxVersions. With `baseVersion`, refuses (409) when someone saved in between, so
     * two editors never silently overwrite each other; the unique key catches a racing insert.
     */
    async save(input: { jobId: string; language: string; kind: SubtitleKind; origin: SubtitleOrigin; segments: Segment[]; baseVersion?: number }): Promise<SubtitleTrack> {
      const { first, latest: current } = await versionRange(input.jobId, input.language);
      if (input.baseVersion !== undefined && input.baseVersion !== current) {
        throw new AppError('CONFLICT', `The ${input.language} subtitles changed since version ${input.baseVersion} (now version ${current}); reload and edit again`, {
          latestVersion: current,
        });
      }
      const row: SubtitleVersionsTable = {
        id: randomUUID(),
        job_id: input.jobId,
        language: input.language,
        kind: input.kind,
        version: current + 1,
        origin: input.origin,
        segments: JSON.stringify(input.segments.map(({ start, end, text }) => ({ start, end, text }))),
        created_at: new Date().toISOString(),
      };
      try {
        await db.insertInto('subtitle_versions').values(row).execute();
      } catch (error) {
        throw new AppError('CONFLICT', `The ${input.language} subtitles were saved by someone else at the same time; reload and edit again`, undefined, { cause: error });
      }
      await prune(input.jobId, input.language, first || row.version, row.version);
      return toTrack(row);
    },

    async latest(jobId: string, language: string): Promise<SubtitleTrack | undefined> {
      const row = await versionsOf(jobId, language).orderBy('version', 'desc').limit(1).executeTakeFirst();
      return row ? toTrack(row) : undefined;
    },

    async history(jobId: string, language: string): Promise<SubtitleTrack[]> {
      const rows = await versionsOf(jobId, language).orderBy('version', 'asc').execute();
      return rows.map(toTrack);
    },

    /** The latest version of every track of a job: source first, then translations by language. */
    async listLatest(jobId: string): Promise<SubtitleTrack[]> {
      const rows = await db.selectFrom('subtitle_versions').selectAll().where('job_id', '=', jobId).execute();
      const latest = new Map<string, Selectable<SubtitleVersionsTable>>();
      for (const row of rows) {
        const seen = latest.get(row.language);
        if (!seen || Number(seen.version) < Number(row.version)) latest.set(row.language, row);
      }
      return [...latest.values()]
        .map(toTrack)
        .sort((a, b) => (a.kind === b.kind ? a.language.localeCompare(b.language) : a.kind === 'source' ? -1 : 1));
    },
  };
}

export type SubtitleRepository = ReturnType<typeof createSubtitleRepository>;
