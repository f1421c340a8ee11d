import { AppError, expandRoutes, findLanguage, routesCover, type LanguagePair, type PairRoute, type Segment } from '@babelfish/core';
import { isModelAvailable } from '../model-env';
import { whisperModelLanguages } from '../whisper-languages';
import { DEFAULT_WHISPER_DTYPE, DEFAULT_WHISPER_MODEL, getWhisper, type SpeechModel } from '../whisper';
import { hasPair, pairLabel, type EngineCheck, type TranslateRequest, type TranslationEngine } from './engine';

/**
 * Speech → English with Whisper's `translate` task. It ignores the source segments' text and
 * listens to the audio again, so it returns Whisper's own English segments and timings. It is
 * the last resort: only into English, and slower than translating text. Use whisper-base or
 * larger; whisper-tiny loops on this task.
 */

export type WhisperEngineOptions = {
  modelId?: string;
  dtype?: string;
  /** Where the model comes from; defaults to this process's shared model (getWhisper). */
  load?: () => Promise<SpeechModel>;
};

export class WhisperTranslationEngine implements TranslationEngine {
  readonly name = 'whisper' as const;
  private readonly modelId: string;
  private readonly dtype: string;
  private readonly load: () => Promise<SpeechModel>;

  constructor(options: WhisperEngineOptions = {}) {
    this.modelId = options.modelId ?? DEFAULT_WHISPER_MODEL;
    this.dtype = options.dtype ?? DEFAULT_WHISPER_DTYPE;
    this.load = options.load ?? (() => getWhisper(this.modelId, this.dtype));
  }

  async routes(): Promise<PairRoute[]> {
    if (!isModelAvailable(this.modelId)) return [];
    // Every language this model has a token for, other than English itself.
    return [{ from: whisperModelLanguages(this.modelId).filter((code) => code !== 'en'), to: ['en'] }];
  }

  async pairs(): Promise<LanguagePair[]> {
    return expandRoutes(await this.routes());
  }

  async supports(pair: LanguagePair): Promise<boolean> {
    return routesCover(await this.routes(), pair);
  }

  async unavailableReason(check: EngineCheck = {}): Promise<string | undefined> {
    if (!isModelAvailable(this.modelId)) return `its model ${this.modelId} is not installed and remote model loading is off (ALLOW_REMOTE_MODELS=false)`;
    if (!check.pair || (await this.supports(check.pair))) return undefined;
    return check.pair.to === 'en' ? `Whisper does not translate ${pairLabel(check.pair)}` : `Whisper translates speech into English only, not ${pairLabel(check.pair)}`;
  }

  async translate(req: TranslateRequest): Promise<Segment[]> {
    if (req.to !== 'en' || !findLanguage(req.from)?.whisper) {
      throw new AppError('UNSUPPORTED_LANGUAGE_PAIR', `Whisper translates speech into English only, not ${req.from} → ${req.to}`);
    }
    if (!req.audio) {
      throw new AppError('TRANSLATION_FAILED', 'The whisper engine translates speech and needs the source audio');
    }
    const [model, audio] = await Promise.all([this.load(), req.audio()]);
    return model.transcribe(audio, { language: req.from, task: 'translate', onProgress: req.onProgress, signal: req.signal });
  }
}
