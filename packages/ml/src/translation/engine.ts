import type { EngineName, LanguagePair, Segment } from '@babelfish/core';

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
};

export interface TranslationEngine {
  readonly name: EngineName;
  /** True when this engine can translate the pair here and now (binary or model installed). */
  supports(pair: LanguagePair): Promise<boolean>;
  /** Every pair supports() would accept, for listing in errors and the API. */
  pairs(): Promise<LanguagePair[]>;
  translate(req: TranslateRequest): Promise<Segment[]>;
}

/** Whether `pairs` contains from → to. */
export function hasPair(pairs: readonly LanguagePair[], pair: LanguagePair): boolean {
  return pairs.some((candidate) => candidate.from === pair.from && candidate.to === pair.to);
}
