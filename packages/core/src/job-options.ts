/**
 * Per-job options beyond languages and engine, stored with the job (JSON) and read by the
 * stages. Validation lives where the values enter (the API); these are only the shapes.
 */

/** Limits subtitle cues are cut and timed to; defaults follow broadcast practice. */
export type SubtitleRules = {
  maxCharsPerLine: number;
  maxLines: number;
  /** Reading speed: characters (spaces and punctuation included, a line break counts as one) per second. */
  maxCharsPerSecond: number;
  minDurationSeconds: number;
  maxDurationSeconds: number;
  /** Shortest gap between two cues, so the eye notices the change (2 frames ≈ 83 ms). */
  minGapSeconds: number;
  /**
   * Chinese, Japanese and Korean rules: lengths are counted in full-width characters, a
   * half-width one (Latin letter, digit, space, half-width kana) counting half. Set by the
   * track's language, never by a job.
   */
  fullWidthUnits?: boolean;
};

/**
 * Terms the translation must respect. `terms` apply to every target language; `byLanguage`
 * overrides them for one target (a term means different words in French and Spanish).
 */
export type Glossary = {
  terms: Record<string, string>;
  byLanguage: Record<string, Record<string, string>>;
  /** Names and brands that must come out exactly as written. */
  doNotTranslate: string[];
};

export type JobOptions = {
  glossary?: Glossary;
  /** Also render the first target language's subtitles into the picture (`<stem>.<lang>.burned.mp4`). */
  burnIn?: boolean;
  /** Also build a dubbed audio track per target language (`<stem>.dubbed.mp4`). */
  dub?: boolean;
  subtitleRules?: Partial<SubtitleRules>;
  /**
   * Which audio track to transcribe, counted from 0 among the audio tracks (ffmpeg's `a:N`).
   * Absent: the track tagged with the source language, else the default one, else the first.
   */
  audioTrack?: number;
  /** The llm engine's model for this job (default: LLM_MODEL). */
  llmModel?: string;
  /** A note on register for the llm engine ("formal", "for children"); other engines ignore it. */
  style?: string;
  /**
   * Also write bilingual subtitles, `<stem>.<source>-<target>.srt/.vtt/.ass` (the spoken line
   * above each translation, in one cue), and add them to the videos as extra tracks. The plain
   * `<stem>.<target>.*` files stay as they are.
   */
  bilingual?: boolean;
  /**
   * Where the job's terminal event (completed, failed, canceled) is posted, and whose secret
   * signs it (the submitting API key's id, or "local" without keys). Set by the API from the
   * submission's webhookUrl or the key's default destination, after the destination was checked.
   */
  webhook?: { url: string; keyId: string };
  /** The job's source track comes from a subtitle file the submitter gave, not from Whisper. */
  importedSubtitles?: ImportedSubtitles;
  /**
   * The API's MAX_DURATION_SECONDS and MAX_MEDIA_STREAMS when it answered the upload without
   * probing it: the job's first step (probe-stage.ts) applies these, not the worker's own
   * settings, so an upload is held to the limits of the API that accepted it. Set by the API.
   */
  inputLimits?: InputLimits;
};

export type InputLimits = { maxDurationSeconds: number; maxMediaStreams: number };

/**
 * A subtitle file given with the job (stored as `jobs/<id>/imported-subtitles`): the transcribe
 * stage reads its cues instead of running Whisper.
 */
export type ImportedSubtitles = {
  format: 'srt' | 'vtt' | 'ass';
  /** Cues read from it at submission. */
  cues: number;
  /** The file came alone: no video or audio, so the outputs are subtitle files only. */
  withoutMedia?: boolean;
};

export const qualityRules = ['empty', 'lineLength', 'lineCount', 'cps', 'duration', 'gap', 'overlap'] as const;
export type QualityRule = (typeof qualityRules)[number];

export type QualityIssue = { cue: number; rule: QualityRule; message: string };

export type TrackQuality = {
  language: string;
  /** `bilingual`: a target's cues with the source lines above (each part checked by its own language's rules). */
  kind: 'source' | 'translation' | 'bilingual';
  cues: number;
  /** Violations per rule; all zero means the track meets every rule. */
  counts: Record<QualityRule, number>;
  /** The first few violations, for people to look at. */
  issues: QualityIssue[];
  /** The rules this track was checked against: the job's, with its language's defaults. */
  rules?: SubtitleRules;
};

/**
 * What the stages need to know of an upload's streams, taken from its ffprobe at submission and
 * kept on the job, so that later stages (the mux above all) need not run ffprobe again.
 */
export type MediaSummary = {
  /**
   * The first real video stream (cover art is not one). width/height are the picture as shown,
   * i.e. already swapped for a 90° rotation (phone videos), since that is what players display.
   */
  video?: { codec: string; width?: number; height?: number; rotation?: number };
  /** The audio track the job transcribes, and the only one its outputs carry. */
  audio?: ChosenAudioTrack;
  /** Every audio track found, in order, for the job view (and for choosing another one). */
  audioTracks?: AudioTrackSummary[];
  /** Subtitle streams already in the upload; the MKV (and, for text ones, the MP4) keeps them. */
  subtitles?: SubtitleStreamSummary[];
};

export type AudioTrackSummary = {
  /** Position among the audio tracks, from 0 (ffmpeg's `0:a:N`). */
  track: number;
  codec: string;
  /** Container tag as written (ISO 639-2, e.g. `spa`). */
  language?: string;
  title?: string;
  channels?: number;
  channelLayout?: string;
  isDefault: boolean;
};

export type ChosenAudioTrack = { codec: string } & Partial<Omit<AudioTrackSummary, 'codec'>> & {
  /** Why this track: asked for, tagged with the source language, marked default, or simply first. */
  chosenBy?: 'audioTrack' | 'language' | 'default' | 'first';
  /**
   * Seconds from the start of the presentation timeline to the track's first sample (audio
   * muxed to start after the picture); extraction pads this much silence so cue times match
   * the video.
   */
  startOffsetSeconds?: number;
};

export type SubtitleStreamSummary = {
  /** Absolute stream index in the upload (ffmpeg's `0:N`). */
  index: number;
  codec: string;
  language?: string;
  title?: string;
};

export type QualityReport = {
  rules: SubtitleRules;
  tracks: TrackQuality[];
  /** Optional outputs that could not be made (no video to burn into, no voice for a language). */
  warnings: string[];
  /** Per target language, what engines that report it said (the llm engine: tokens, fallbacks). */
  translations?: TranslationSummary[];
  checkedAt: string;
};

/**
 * What translated one target language, kept on the job (the job view's `translations`): the
 * engine of the latest run, and the tokens the llm engine spent over every run (a retry or a
 * re-translation adds its own; lines from the cache cost none).
 */
export type JobTranslation = {
  engine: string;
  model?: string;
  fallbackEngine?: string;
  fallbackLines: number;
  promptTokens: number;
  completionTokens: number;
};

export type TranslationSummary = {
  language: string;
  engine: string;
  model?: string;
  linesTranslated: number;
  linesCached: number;
  /** Lines the llm never answered well, translated by `fallbackEngine` instead. */
  fallbackLines: number;
  fallbackEngine?: string;
  promptTokens: number;
  completionTokens: number;
};
