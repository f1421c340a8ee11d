import { AppError, findLanguage, supportedLanguages, type LanguagePair, type Segment } from '@babelfish/core';
import { canObtainModel, whyModelUnobtainable } from '../model-reachability';
import { hasPair, pairLabel, type EngineCheck, type TranslateRequest, type TranslationEngine } from './engine';
import { getTranslationPipeline, translateSegmentTexts } from './text-model';

/**
 * NLLB-200: one multilingual model covering every pair in the core table, the best general
 * choice when its ~600 MB of files are installed (or can be downloaded).
 */

export const DEFAULT_NLLB_MODEL = 'Xenova/nllb-200-distilled-600M';

export type NllbOptions = { modelId?: string };

export class NllbEngine implements TranslationEngine {
  readonly name = 'nllb' as const;
  private readonly modelId: string;

  constructor(options: NllbOptions = {}) {
    this.modelId = options.modelId ?? DEFAULT_NLLB_MODEL;
  }

  async pairs(): Promise<LanguagePair[]> {
    // Installed, or downloadable now: an offline machine must not pick NLLB and fail later.
    if (!(await canObtainModel(this.modelId))) return [];
    return supportedLanguages.flatMap((from) =>
      supportedLanguages.filter((to) => to.code !== from.code).map((to) => ({ from: from.code, to: to.code })),
    );
  }

  async supports(pair: LanguagePair): Promise<boolean> {
    return hasPair(await this.pairs(), pair);
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
    if (!from || !to || from.code === to.code) {
      throw new AppError('UNSUPPORTED_LANGUAGE_PAIR', `NLLB cannot translate ${req.from} → ${req.to}`);
    }
    const translator = await getTranslationPipeline(this.modelId);
    return translateSegmentTexts(translator, req.segments, { src_lang: from.nllb, tgt_lang: to.nllb }, req.onProgress);
  }
}
