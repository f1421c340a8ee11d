/**
 * A transcription-only job: what the OpenAI-compatible and whisper-asr-webservice-compatible
 * APIs ask for. Such a job makes no videos and no subtitle files per language; its one output is
 * the transcript (or translation, or detected language) in the format the caller asked for,
 * which the API returns as the answer to the request that is waiting for it.
 */

export const openAiFormats = ['json', 'text', 'srt', 'verbose_json', 'vtt'] as const;
export type OpenAiFormat = (typeof openAiFormats)[number];

export const whisperAsrFormats = ['txt', 'vtt', 'srt', 'tsv', 'json'] as const;
export type WhisperAsrFormat = (typeof whisperAsrFormats)[number];

export type TranscriptionTask = 'transcribe' | 'translate' | 'detect-language';

export type TranscriptionRequest =
  | ({ api: 'openai'; format: OpenAiFormat } & TranscriptionSettings)
  | ({ api: 'whisper-asr'; format: WhisperAsrFormat } & TranscriptionSettings);

export type TranscriptionSettings = {
  /**
   * transcribe: the spoken language; translate: into the job's target language (English unless
   * `to` named another); detect-language: the first 30 s only, no transcript.
   */
  task: TranscriptionTask;
  /** OpenAI's timestamp_granularities[]=word, whisper-asr's word_timestamps=true. */
  words: boolean;
  /** OpenAI's verbose_json lists segments unless timestamp_granularities[] leaves `segment` out. */
  segments?: boolean;
  /** OpenAI's `model` as sent. */
  model?: string;
  /**
   * The installed Whisper model that does the work, when the caller named one (OpenAI's `model`
   * = an id from GET /v1/models); absent: the worker's WHISPER_MODEL (what `whisper-1` means).
   */
  whisperModel?: string;
  /**
   * OpenAI's `prompt`, whisper-asr's `initial_prompt`: given to Whisper as previous text
   * (<|startofprev|> … before <|startoftranscript|>), so names are spelt and style kept as there.
   */
  prompt?: string;
  /** OpenAI's `temperature`: the first temperature of the fallback schedule (0 = greedy first). */
  temperature?: number;
};

/** Content type of a finished transcription's body, as the API each format belongs to sends it. */
export function transcriptionContentType(request: Pick<TranscriptionRequest, 'api' | 'format' | 'task'>): string {
  if (request.task === 'detect-language') return 'application/json';
  if (request.api === 'openai') return request.format === 'json' || request.format === 'verbose_json' ? 'application/json' : 'text/plain; charset=utf-8';
  // whisper-asr-webservice streams every output as text/plain, its JSON too.
  return 'text/plain; charset=utf-8';
}
