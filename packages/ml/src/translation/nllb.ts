import { AppError, expandRoutes, findLanguage, routesCover, supportedLanguages, type LanguagePair, type PairRoute, type Segment } from '@babelfish/core';
import { canObtainModel } from '../model-reachability';
import type { TranslateRequest, TranslationEngine } from './engine';
import { getTranslationPipeline, translateSegmentTexts } from './text-model';

/**
 * NLLB-200: one multilingual model covering any pair of its 202 languages (every row of the
 * core table with a FLORES-200 code), the best general choice when its ~600 MB of files are
 * installed (or can be downloaded).
 */

const nllbLanguages = supportedLanguages.filter((language) => language.nllb).map((language) => language.code);

export const DEFAULT_NLLB_MODEL = 'Xenova/nllb-200-distilled-600M';

export type NllbOptions = { modelId?: string };

export class NllbEngine implements TranslationEngine {
  readonly name = 'nllb' as const;
  private readonly modelId: string;

  constructor(options: NllbOptions = {}) {
    this.modelId = options.modelId ?? DEFAULT_NLLB_MODEL;
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

  async translate(req: TranslateRequest): Promise<Segment[]> {
    const from = findLanguage(req.from);
    const to = findLanguage(req.to);
    if (!from?.nllb || !to?.nllb || from.code === to.code) {
      throw new AppError('UNSUPPORTED_LANGUAGE_PAIR', `NLLB cannot translate ${req.from} → ${req.to}`);
    }
    const translator = await getTranslationPipeline(this.modelId);
    return translateSegmentTexts(translator, req.segments, { src_lang: from.nllb, tgt_lang: to.nllb }, req.onProgress);
  }
}
