import { AppError, expandRoutes, findLanguage, routesCover, supportedLanguages, type LanguagePair, type PairRoute, type Segment } from '@babelfish/core';
import { canObtainModel, whyModelUnobtainable } from '../model-reachability';
import { hasPair, pairLabel, type EngineCheck, type TranslateRequest, type TranslationEngine } from './engine';
import { translateSegmentTexts, translateTextsInProcess, type TextModelRunner } from './text-model';

/**
 * NLLB-200: one multilingual model covering any pair of its 202 languages (every row of the
 * core table with a FLORES-200 code), the best general choice when its ~600 MB of files are
 * installed (or can be downloaded).
 */

const nllbLanguages = supportedLanguages.filter((language) => language.nllb).map((language) => language.code);

export const DEFAULT_NLLB_MODEL = 'Xenova/nllb-200-distilled-600M';

export type NllbOptions = {
  modelId?: string;
  /** Where the model runs: this thread by default; the worker passes its text-model thread. */
  runner?: TextModelRunner;
};

export class NllbEngine implements TranslationEngine {
  readonly name = 'nllb' as const;
  private readonly modelId: string;
  private readonly run: TextModelRunner;

  constructor(options: NllbOptions = {}) {
    this.modelId = options.modelId ?? DEFAULT_NLLB_MODEL;
    this.run = options.runner ?? translateTextsInProcess;
  }

  async routes(): Promise<PairRoute[]> {
    // Installed, or downloadable now: an offline machine must not pick NLLB and fail later.
    if (!(await canObtainModel(this.modelId))) return [];
    return [{ from: nllbLanguages, to: nllbLanguages }];
  }

  async pairs(): Promise<LanguagePair[]> {
    return expandRoutes(await this.routes());
  }

  async supports(pair: LanguagePair): Promise<boolean> {
    return routesCover(await this.routes(), pair);
  }

  async unavailableReason(check: EngineCheck = {}): Promise<string | undefined> {
    const missing = await whyModelUnobtainable(this.modelId);
    if (missing) return missing;
    const { pair } = check;
    if (pair && (pair.from === pair.to || !findLanguage(pair.from)?.nllb || !findLanguage(pair.to)?.nllb)) return `NLLB has no ${pairLabel(pair)} direction`;
    return undefined;
  }

  async translate(req: TranslateRequest): Promise<Segment[]> {
    const from = findLanguage(req.from);
    const to = findLanguage(req.to);
    if (!from?.nllb || !to?.nllb || from.code === to.code) {
      throw new AppError('UNSUPPORTED_LANGUAGE_PAIR', `NLLB cannot translate ${req.from} → ${req.to}`);
    }
    // tgt_lang becomes the token forced as the first generated one, which selects the output language.
    return translateSegmentTexts(this.run, this.modelId, req.segments, { src_lang: from.nllb, tgt_lang: to.nllb }, req.onProgress, req.onDownload, req.signal);
  }
}
