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
  /** The failure's ErrorCode (UNSUPPORTED_MEDIA, NO_AUDIO_TRACK, …); null unless failed. */
  error_code: string | null;
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
  /** JSON Record<language, JobTranslation>: the engine used per target language and its tokens; null before any. */
  translations: string | null;
  /** Tokens the llm engine spent on the job, all languages and runs together. */
  prompt_tokens: number;
  completion_tokens: number;
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
  /** Standard Webhooks secret (`whsec_…`) signing this key's job events; made on first use. */
  webhook_secret: string | null;
  /** Where this key's jobs report when a submission names no webhookUrl. */
  webhook_url: string | null;
};

/** One attempt to deliver one job event; the job's delivery log. */
export type WebhookDeliveriesTable = {
  id: string;
  job_id: string;
  /** The event's webhook-id: the same on every attempt, so receivers can deduplicate. */
  message_id: string;
  event: string;
  url: string;
  attempt: number;
  status_code: number | null;
  error: string | null;
  duration_ms: number;
  created_at: string;
};

/** The llm engine's line translations by cache key (SHA-256 hex). */
export type TranslationCacheTable = { key: string; text: string; created_at: string };

export type Database = {
  api_keys: ApiKeysTable;
  webhook_deliveries: WebhookDeliveriesTable;
  translation_cache: TranslationCacheTable;
  jobs: JobsTable;
  job_outputs: OutputsTable;
  subtitle_versions: SubtitleVersionsTable;
};
