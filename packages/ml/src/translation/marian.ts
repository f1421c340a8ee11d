import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AppError, expandRoutes, findLanguage, getLanguage, routesCover, routesFromPairs, type LanguagePair, type PairRoute, type Segment } from '@babelfish/core';
import { hasModelFiles, modelSettings } from '../model-env';
import { canObtainModel, whyModelUnobtainable } from '../model-reachability';
import { hasPair, pairLabel, type EngineCheck, type TranslateRequest, type TranslationEngine } from './engine';
import { translateSegmentTexts, translateTextsInProcess, type TextModelRunner } from './text-model';

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

/** `opus-mt-en-zh` → en → zh-Hans: OPUS-MT names languages by ISO 639-1 (else 639-3) code. */
function pairOfModelName(name: string): LanguagePair | undefined {
  const match = /^opus-mt-([a-z]{2,3})-([a-z]{2,3})$/.exec(name);
  const from = match?.[1] && findLanguage(match[1]);
  const to = match?.[2] && findLanguage(match[2]);
  return from && to && from.code !== to.code ? { from: from.code, to: to.code } : undefined;
}

const knownHubPairs = KNOWN_HUB_PAIRS.map((pair) => pairOfModelName(`opus-mt-${pair}`)!);

/** The model of a pair; its codes are the table's (`zh-Hans`), the repository's OPUS-MT's (`zh`). */
export function marianModelId(pair: LanguagePair): string {
  const code = (tag: string) => {
    const language = getLanguage(tag);
    return language.iso6391 ?? language.iso6393;
  };
  return `Xenova/opus-mt-${code(pair.from)}-${code(pair.to)}`;
}

/** The directions whose model folders are in `dir` (under Xenova/). */
function installedPairs(dir: string): LanguagePair[] {
  let names: string[];
  try {
    names = readdirSync(join(dir, 'Xenova'));
  } catch {
    return [];
  }
  return names.flatMap((name) => {
    const pair = pairOfModelName(name);
    return pair && marianModelId(pair) === `Xenova/${name}` && hasModelFiles(dir, `Xenova/${name}`) ? [pair] : [];
  });
}

export type MarianOptions = {
  /** Where the models run: this thread by default; the worker passes its text-model thread. */
  runner?: TextModelRunner;
};

export class MarianEngine implements TranslationEngine {
  readonly name = 'marian' as const;
  private readonly run: TextModelRunner;

  constructor(options: MarianOptions = {}) {
    this.run = options.runner ?? translateTextsInProcess;
  }

  async routes(): Promise<PairRoute[]> {
    const settings = modelSettings();
    // A folder listing, not a check per pair: the table has 205 × 204 directions.
    const installed = [...installedPairs(settings.modelsDir), ...(settings.cacheDir ? installedPairs(settings.cacheDir) : [])];
    // One probe for the hub (with the first known conversion) rather than one per direction.
    const hubServes = settings.allowRemote && (await canObtainModel(marianModelId(knownHubPairs[0]!), settings));
    return routesFromPairs([...installed, ...(hubServes ? knownHubPairs : [])]);
  }

  async pairs(): Promise<LanguagePair[]> {
    return expandRoutes(await this.routes());
  }

  async supports(pair: LanguagePair): Promise<boolean> {
    return routesCover(await this.routes(), pair);
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
    return translateSegmentTexts(this.run, modelId, req.segments, {}, req.onProgress, req.onDownload, req.signal);
  }
}
