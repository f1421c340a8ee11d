/** A word with its time span in seconds, from Whisper's word-level timestamps. */
export type Word = { text: string; start: number; end: number };

/**
 * One subtitle-sized unit of speech (or of its translation), times in seconds. A transcribed
 * segment also carries the decoding statistics of the Whisper window(s) it came from, named as
 * openai/whisper's verbose_json (avg_logprob, compression_ratio, no_speech_prob, temperature).
 */
export type Segment = {
  start: number;
  end: number;
  text: string;
  words?: Word[];
  /** Mean log-probability of the window's tokens (below -1: the model was unsure). */
  avgLogprob?: number;
  /**
   * zlib compression ratio of the window's text, each of its Whisper segments counted once (above
   * 2.4: it loops). openai/whisper compresses the whole text, which also flags a sentence really
   * said twice in one window; see packages/ml/src/decode-quality.ts.
   */
  compressionRatio?: number;
  /** Probability of <|nospeech|> at the window's first decoding step. */
  noSpeechProb?: number;
  /** Sampling temperature of the decode kept (0 = greedy; higher = the fallback ran). */
  temperature?: number;
  /**
   * Whisper token ids of the segment's text (no special or timestamp tokens), as Whisper's
   * tokenizer encodes the text; for OpenAI's verbose_json `tokens`.
   */
  tokens?: number[];
};

/**
 * One cue of a bilingual track: the translation's cue (its times and text) with the spoken
 * words of that moment above it, `source` laid out in lines of the source language's rules.
 */
export type BilingualCue = { start: number; end: number; source: string; text: string };

export type Transcript = {
  language: string; // ISO 639-1
  languageDetected: boolean;
  languageProbability?: number;
  durationSeconds: number;
  segments: Segment[];
};

export type Translation = {
  sourceLanguage: string;
  targetLanguage: string;
  engine: EngineName;
  segments: Segment[];
};

// llm: any OpenAI-compatible chat completions server (Ollama, vLLM, OpenAI…), when configured.
export const engineNames = ['nllb', 'marian', 'apertium', 'whisper', 'llm'] as const;
export type EngineName = (typeof engineNames)[number];

export type LanguagePair = { from: string; to: string };

// canceled: stopped by its owner (POST /v1/jobs/:id/cancel, the CLI, the dashboard) or by a waiting client going away.
export const jobStatuses = ['queued', 'processing', 'completed', 'failed', 'canceled'] as const;
export const terminalJobStatuses = ['completed', 'failed', 'canceled'] as const;

/** Completed, failed or canceled: nothing more happens to the job unless it is started again. */
export function isTerminalStatus(status: string): boolean {
  return (terminalJobStatuses as readonly string[]).includes(status);
}
export type JobStatus = (typeof jobStatuses)[number];

// download: a model the next step needs is being fetched into MODEL_CACHE_DIR (the first job after a deploy).
export const stages = ['upload', 'download', 'transcribe', 'translate', 'mux'] as const;
export type Stage = (typeof stages)[number];

// ass: styled subtitles; burned: subtitles rendered into the picture; dubbed: extra TTS audio track.
// bilingual-*: the source line above each translation, in one cue (`<stem>.<source>-<target>.*`).
// transcription: the one output of a transcription-only job, in the format its API asked for.
export const outputKinds = ['srt', 'vtt', 'mp4', 'mkv', 'transcript', 'ass', 'burned', 'dubbed', 'bilingual-srt', 'bilingual-vtt', 'bilingual-ass', 'transcription'] as const;
export type OutputKind = (typeof outputKinds)[number];

/** Called by stage code as work advances; `percent` is 0–100 within the stage (or language). */
export type ProgressReporter = (percent: number, message?: string) => void;

/** What workers publish and the API relays to Socket.IO room `job:<id>`. */
export type ProgressEvent = {
  jobId: string;
  status: JobStatus;
  stage: Stage;
  language?: string;
  stagePercent: number;
  /** Whole-job percent, never decreasing across events of one job. */
  percent: number;
  message?: string;
  error?: string;
  at: string;
};

/** How Whisper judges a decoded window and re-decodes one that fails (openai/whisper's safeguards). */
export type WhisperSafeguards = {
  /** A window whose text's zlib compression ratio is above this failed (openai: 2.4). */
  compressionRatioThreshold: number;
  /** A window whose mean token log-probability is below this failed (openai: -1.0). */
  logprobThreshold: number;
  /** P(<|nospeech|>) above this, with a failed log-probability, means silence (openai: 0.6). */
  noSpeechThreshold: number;
  /** Greedy first (0), then one sampled decode per further temperature until a window passes. */
  temperatures: number[];
  /** Generated tokens per window, timestamps included (openai's sample_len: 224). */
  maxWindowTokens: number;
  /** Seed of the sampling RNG: the same audio always gives the same transcript. */
  seed: number;
};
