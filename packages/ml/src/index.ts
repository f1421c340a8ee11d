export * from './audio-windows';
export * from './audio-source';
export * from './model-env';
export * from './inference-device';
export * from './model-download';
export * from './model-ensure';
export * from './model-reachability';
export * from './model-files';
export * from './whisper-installed';
export * from './segmenter';
export * from './speech-regions';
export * from './speech-windows';
export * from './vad-loader';
export * from './energy-gate';
export type { VadFirstPass, VadScanOptions } from './vad';
export * from './whisper';
export { DEFAULT_SAFEGUARDS, type DecodeQuality, type DecodeSafeguards } from './decode-quality';
export type { LanguageDetection, LanguageGuess } from './whisper-language';
export { whisperModelLanguages } from './whisper-languages';
export * from './translation/engine';
export { ApertiumEngine, cleanApertiumText, type ApertiumOptions } from './translation/apertium';
export { MarianEngine, marianModelId, type MarianOptions } from './translation/marian';
export {
  disposeTextModels,
  loadedTextModels,
  translateTextsInProcess,
  TEXT_MODEL_BATCH_SIZE,
  type TextModelOptions,
  type TextModelRequest,
  type TextModelRunner,
} from './translation/text-model';
export { NllbEngine, DEFAULT_NLLB_MODEL, type NllbOptions } from './translation/nllb';
export { WhisperTranslationEngine, type WhisperEngineOptions } from './translation/whisper';
export * from './translation/registry';
export { LlmEngine, retryAfterMs, type LlmEngineOptions, type LlmSettings } from './translation/llm';
export { memoryTranslationCache, translationCacheKey, type TranslationCache } from './translation/translation-cache';
export * from './pause-cuts';
export { planSource } from './window-plan';
