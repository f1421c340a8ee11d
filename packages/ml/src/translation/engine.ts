import { AppError, type EngineName, type LanguagePair, type PairRoute, type Segment } from '@babelfish/core';
import type { DownloadListener } from '../model-download';

/**
 * A way of turning segments in one language into segments in another. Text engines keep each
 * segment's timing and translate only its text; the Whisper engine re-listens to the audio and
 * returns its own English segments.
 */
export type TranslateRequest = {
  segments: Segment[];
  /** ISO 639-1 codes. */
  from: string;
  to: string;
  /** The source audio (16 kHz mono), for engines that translate speech rather than text. */
  audio?: () => Promise<Float32Array>;
  onProgress?: (percent: number) => void;
  /** Hears the download of a model the engine has to fetch first (NLLB, Marian); others never call it. */
  onDownload?: DownloadListener;
  /**
   * The job's glossary for this target (source term → required translation). The caller already
   * swapped matched terms for ZXQ<n> placeholders; engines that read instructions (llm) also get
   * the list as terminology. Others ignore it.
   */
  glossary?: readonly { source: string; target: string }[];
  /** Per-job settings of the llm engine; others ignore them. */
  llm?: { model?: string; style?: string };
  /** Called once at the end by engines that have more to say than the text (llm: tokens, fallbacks). */
  onReport?: (report: TranslationReport) => void;
  /**
   * The job was canceled: the engine stops (CANCELED) and sends or computes nothing more. The
   * llm engine aborts its HTTP requests; the others stop before their next batch.
   */
  signal?: AbortSignal;
};

/** CANCELED once `signal` is aborted: engines call it between batches, so a canceled job stops paying for work. */
export function throwIfCanceled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new AppError('CANCELED', 'The translation was canceled');
}

/** What a translation cost and how it went, for logs and the job's quality report. */
export type TranslationReport = {
  engine: EngineName;
  model?: string;
  /** Lines sent to the engine (not found in the cache). */
  linesTranslated: number;
  linesCached: number;
  /** Lines the engine never answered well, translated by another engine instead. */
  fallbackLines: number;
  fallbackEngine?: EngineName;
  requests: number;
  /** Replies rejected by the checks (bad JSON, a missing or merged line…), each asked again. */
  badReplies: number;
  promptTokens: number;
  completionTokens: number;
  /** The llm engine's note on the video: its summary call's reply, a cached one, or (the call failed) the opening lines. */
  summarySource?: 'model' | 'cache' | 'opening';
  /** Why the summary call gave nothing usable (logged; the opening lines stood in). */
  summaryProblem?: string;
};

/** What to check an engine against: a pair (absent: the source language is not known yet) and the job's llm model. */
export type EngineCheck = { pair?: LanguagePair; llmModel?: string };

export interface TranslationEngine {
  readonly name: EngineName;
  /**
   * Why this engine cannot take `check.pair` here and now (with no pair: cannot run at all), in
   * words a user can act on; undefined when it can. A job that names an engine is checked with
   * this at submission, so it is refused then, not failed after transcribing nor handed to
   * another engine.
   */
  unavailableReason(check?: EngineCheck): Promise<string | undefined>;
  /** True when this engine can translate the pair here and now (binary or model installed). */
  supports(pair: LanguagePair): Promise<boolean>;
  /**
   * What supports() would accept, compactly: NLLB alone covers 202 × 201 pairs, too many to
   * list in an error or an API answer one by one.
   */
  routes(): Promise<PairRoute[]>;
  /** Every pair supports() would accept, one by one (routes() expanded). */
  pairs(): Promise<LanguagePair[]>;
  translate(req: TranslateRequest): Promise<Segment[]>;
}

/** "en → ja": how reasons name a pair. */
export function pairLabel(pair: LanguagePair): string {
  return `${pair.from} → ${pair.to}`;
}

/** Whether `pairs` contains from → to. */
export function hasPair(pairs: readonly LanguagePair[], pair: LanguagePair): boolean {
  return pairs.some((candidate) => candidate.from === pair.from && candidate.to === pair.to);
}
