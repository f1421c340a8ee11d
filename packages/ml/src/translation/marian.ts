import { AppError, supportedLanguages, type LanguagePair, type Segment } from '@babelfish/core';
import { hasModelFiles, modelSettings } from '../model-env';
import { canObtainModel, whyModelUnobtainable } from '../model-reachability';
import { hasPair, pairLabel, type EngineCheck, type TranslateRequest, type TranslationEngine } from './engine';
import { getTranslationPipeline, translateSegmentTexts } from './text-model';

/**
 * Marian (OPUS-MT): one small model (~75 MB) per direction, `Xenova/opus-mt-<from>-<to>`.
 * Offline, the pairs are the model folders installed under the models dir or cache. With hub
 * downloads allowed we offer only directions known to have a transformers.js conversion, since
 * guessing a repository that does not exist would fail only at translation time.
 */

/** Xenova's transformers.js conversions of Helsinki-NLP/opus-mt-* whose languages are both in the core table. */
const KNOWN_HUB_PAIRS = [
  'ar-en', 'de-en', 'de-es', 'de-fr', 'en-ar', 'en-de', 'en-es', 'en-fr', 'en-hi', 'en-it', 'en-nl', 'en-ru',
  'en-sv', 'en-zh', 'es-de', 'es-en', 'es-fr', 'es-it', 'es-ru', 'fr-de', 'fr-en', 'fr-es', 'fr-ru', 'hi-en',
  'it-en', 'it-es', 'nl-en', 'ru-en', 'ru-es', 'ru-fr', 'ru-uk', 'sv-en', 'uk-ru', 'zh-en',
];

function firstKnownPair(): LanguagePair {
  const [from, to] = KNOWN_HUB_PAIRS[0]!.split('-') as [string, string];
  return { from, to };
}

export function marianModelId(pair: LanguagePair): string {
  return `Xenova/opus-mt-${pair.from}-${pair.to}`;
}

export class MarianEngine implements TranslationEngine {
  readonly name = 'marian' as const;

  async pairs(): Promise<LanguagePair[]> {
    const settings = modelSettings();
    const all = supportedLanguages.flatMap((from) =>
      supportedLanguages.filter((to) => to.code !== from.code).map((to) => ({ from: from.code, to: to.code })),
    );
    // One probe for the hub (with the first known conversion) rather than one per direction.
    const hubServes = settings.allowRemote && (await canObtainModel(marianModelId(firstKnownPair()), settings));
    return all.filter((pair) => {
      const modelId = marianModelId(pair);
      const installed = hasModelFiles(settings.modelsDir, modelId) || hasModelFiles(settings.cacheDir, modelId);
      return installed || (hubServes && KNOWN_HUB_PAIRS.includes(`${pair.from}-${pair.to}`));
    });
  }

  async supports(pair: LanguagePair): Promise<boolean> {
    return hasPair(await this.pairs(), pair);
  }

  async unavailableReason(check: EngineCheck = {}): Promise<string | undefined> {
    const { pair } = check;
    if (!pair) {
      if ((await this.pairs()).length > 0) return undefined;
      const settings = modelSettings();
      return settings.allowRemote
        ? 'no Marian model is installed and the model hub (MODEL_HUB_URL) does not answer'
        : 'no Marian model is installed (MODELS_DIR or MODEL_CACHE_DIR) and remote model loading is off (ALLOW_REMOTE_MODELS=false)';
    }
    if (await this.supports(pair)) return undefined;
    const settings = modelSettings();
    const modelId = marianModelId(pair);
    if (settings.allowRemote && !KNOWN_HUB_PAIRS.includes(`${pair.from}-${pair.to}`)) {
      return `no Marian model for ${pairLabel(pair)} (${modelId}) is installed, and the hub has no known conversion of it`;
    }
    return `no Marian model for ${pairLabel(pair)}: ${(await whyModelUnobtainable(modelId, settings)) ?? `${modelId} is not installed`}`;
  }

  async translate(req: TranslateRequest): Promise<Segment[]> {
    const modelId = marianModelId(req);
    if (!(await this.supports(req))) {
      throw new AppError('UNSUPPORTED_LANGUAGE_PAIR', `No Marian model for ${req.from} → ${req.to} (${modelId})`);
    }
    const translator = await getTranslationPipeline(modelId);
    return translateSegmentTexts(translator, req.segments, {}, req.onProgress);
  }
}
