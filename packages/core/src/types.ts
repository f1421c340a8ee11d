/** A word with its time span in seconds, from Whisper's word-level timestamps. */
export type Word = { text: string; start: number; end: number };

/** One subtitle-sized unit of speech (or of its translation), times in seconds. */
export type Segment = { start: number; end: number; text: string; words?: Word[] };

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

export const engineNames = ['nllb', 'marian', 'apertium', 'whisper'] as const;
export type EngineName = (typeof engineNames)[number];

export type LanguagePair = { from: string; to: string };

export const jobStatuses = ['queued', 'processing', 'completed', 'failed'] as const;
export type JobStatus = (typeof jobStatuses)[number];

export const stages = ['upload', 'transcribe', 'translate', 'mux'] as const;
export type Stage = (typeof stages)[number];

// ass: styled subtitles; burned: subtitles rendered into the picture; dubbed: extra TTS audio track.
export const outputKinds = ['srt', 'vtt', 'mp4', 'mkv', 'transcript', 'ass', 'burned', 'dubbed'] as const;
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
