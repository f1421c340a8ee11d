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
};

export const qualityRules = ['empty', 'lineLength', 'lineCount', 'cps', 'duration', 'gap', 'overlap'] as const;
export type QualityRule = (typeof qualityRules)[number];

export type QualityIssue = { cue: number; rule: QualityRule; message: string };

export type TrackQuality = {
  language: string;
  kind: 'source' | 'translation';
  cues: number;
  /** Violations per rule; all zero means the track meets every rule. */
  counts: Record<QualityRule, number>;
  /** The first few violations, for people to look at. */
  issues: QualityIssue[];
};

/**
 * What the stages need to know of an upload's streams, taken from its ffprobe at submission and
 * kept on the job, so that later stages (the mux above all) need not run ffprobe again.
 */
export type MediaSummary = {
  video?: { codec: string; width?: number; height?: number };
  audio?: { codec: string };
};

export type QualityReport = {
  rules: SubtitleRules;
  tracks: TrackQuality[];
  /** Optional outputs that could not be made (no video to burn into, no voice for a language). */
  warnings: string[];
  checkedAt: string;
};
