/**
 * The REST/Socket.IO shapes the dashboard reads. They mirror the API's views (apps/api), not the
 * database records, so they are declared here rather than imported from server packages.
 */
import type { JobStatus, PairRoute, ProgressEvent, Stage } from '@babelfish/core';

export type { JobStatus, ProgressEvent, Stage };

export type StageProgress = {
  transcribe?: number;
  translate?: Record<string, number>;
  mux?: number;
};

export type Job = {
  id: string;
  status: JobStatus;
  stage: Stage;
  percent: number;
  stageProgress: StageProgress;
  sourceLanguage: string | null;
  detectedLanguage: string | null;
  targetLanguages: string[];
  engine: string | null;
  originalName: string;
  durationSeconds: number | null;
  error: string | null;
  createdAt: string;
  updatedAt: string;
  completedAt: string | null;
  thumbnailUrl: string | null;
  /** Streams found at submission (null for jobs from before they were recorded). */
  media?: JobMedia | null;
  /** Per target language translated so far: the engine that did it and the llm tokens it spent. */
  translations?: JobTranslation[];
  usage?: { promptTokens: number; completionTokens: number; totalTokens: number };
  options?: { llmModel?: string; style?: string; bilingual?: boolean; importedSubtitles?: ImportedSubtitles };
};

export type JobTranslation = {
  language: string;
  engine: string;
  model?: string;
  fallbackEngine?: string;
  fallbackLines: number;
  promptTokens: number;
  completionTokens: number;
};

/** A subtitle file given with the job; `withoutMedia`: it came alone, so there is no video. */
export type ImportedSubtitles = { format: 'srt' | 'vtt' | 'ass'; cues: number; withoutMedia?: boolean };

export type AudioTrackInfo = { track: number; codec: string; language?: string; title?: string; channels?: number; channelLayout?: string; isDefault: boolean };

export type JobMedia = {
  audioTrack: number | null;
  audioTrackChosenBy: 'audioTrack' | 'language' | 'default' | 'first' | null;
  audioTracks: AudioTrackInfo[];
};

/** One row of GET /v1/languages (apps/api/src/routes/meta.ts). */
export type LanguageInfo = {
  code: string;
  name: string;
  nativeName?: string;
  script?: string;
  direction?: 'ltr' | 'rtl';
  /** Whisper can transcribe it: it can be the spoken language. */
  transcribe?: boolean;
};
/** An engine and the pairs it covers: each route is every `from` into every `to` but itself. */
export type EngineInfo = { name: string; routes: PairRoute[] };
export type Catalogue = { languages: LanguageInfo[]; engines: EngineInfo[] };

export type Cue = { start: number; end: number; text: string };

export type SubtitleTrack = {
  language: string;
  name: string;
  kind: 'source' | 'translation';
  version: number;
  segments: Cue[];
  vttUrl: string;
};

export type Output = { id: string; kind: string; language: string | null; name: string; bytes: number; url: string };

export type UploadState = { id: string; offset: number; size: number };

export type Problem = { index: number; field: 'start' | 'end' | 'text'; message: string };
