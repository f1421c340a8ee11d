/**
 * Table shapes. Timestamps are ISO-8601 strings and structured fields are JSON text so one
 * schema behaves the same on SQLite and PostgreSQL.
 */
export type JobsTable = {
  id: string;
  owner_id: string | null;
  status: string;
  stage: string;
  percent: number;
  /** JSON: { transcribe?: number, translate?: Record<lang, number>, mux?: number } */
  stage_progress: string;
  source_language: string | null;
  detected_language: string | null;
  /** JSON array of ISO 639-1 codes */
  target_languages: string;
  engine: string | null;
  original_name: string;
  input_key: string;
  media_duration: number | null;
  error: string | null;
  created_at: string;
  updated_at: string;
  completed_at: string | null;
  runs: number;
  thumbnail_key: string | null;
  content_hash: string | null;
  /** JSON JobOptions (glossary, burnIn, dub, subtitleRules); null when none were given. */
  options: string | null;
  /** JSON QualityReport written by the mux stage; null until then. */
  quality: string | null;
  /** JSON MediaSummary of the upload's streams, from its probe at submission; null for older jobs. */
  media: string | null;
  /** JSON TranscriptionRequest of a transcription-only job; null for a video job. */
  transcription: string | null;
};

export type SubtitleVersionsTable = {
  id: string;
  job_id: string;
  language: string;
  kind: string;
  version: number;
  origin: string;
  /** JSON array of { start, end, text } */
  segments: string;
  created_at: string;
};

export type OutputsTable = {
  id: string;
  job_id: string;
  kind: string;
  language: string | null;
  name: string;
  storage_key: string;
  bytes: number;
  created_at: string;
};

export type ApiKeysTable = {
  id: string;
  owner_id: string;
  name: string;
  secret_hash: string;
  created_at: string;
  revoked_at: string | null;
};

/** The llm engine's line translations by cache key (SHA-256 hex). */
export type TranslationCacheTable = { key: string; text: string; created_at: string };

export type Database = {
  api_keys: ApiKeysTable;
  translation_cache: TranslationCacheTable;
  jobs: JobsTable;
  job_outputs: OutputsTable;
  subtitle_versions: SubtitleVersionsTable;
};
