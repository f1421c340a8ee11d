import { Router } from 'express';
import { z } from 'zod';
import { AppError, engineNames, getLanguage, routesCover, supportedLanguages, type Language, type LanguagePair } from '@babelfish/core';
import { whisperModelLanguages } from '@babelfish/ml';
import type { LanguageView } from '@babelfish/contract';
import type { ApiDeps } from '../deps';

/**
 * The language table and what the installed engines can do with it. The table is the same for
 * every request; engine coverage comes from the registry (its model checks are cached), as
 * routes: NLLB alone covers 202 × 201 pairs, so pairs are listed only for one language at a
 * time, by /v1/languages/pairs.
 */

export type { LanguageView } from '@babelfish/contract';

export function languageView(language: Language, transcribable: ReadonlySet<string>): LanguageView {
  return {
    code: language.code,
    name: language.name,
    ...(language.nativeName ? { nativeName: language.nativeName } : {}),
    bcp47: language.bcp47,
    ...(language.iso6391 ? { iso6391: language.iso6391 } : {}),
    iso6392B: language.iso6392,
    iso6392T: language.iso6392T,
    iso6393: language.iso6393,
    script: language.script,
    direction: language.direction,
    transcribe: transcribable.has(language.code),
    ...(language.nllb ? { nllb: language.nllb } : {}),
  };
}

export const pairsQuery = z.object({
  from: z.string().trim().min(1).optional(),
  to: z.string().trim().min(1).optional(),
  engine: z.enum(engineNames).optional(),
});

export function metaRouter(deps: ApiDeps): Router {
  const router = Router();
  router.get('/languages', async (_req, res) => {
    // Cached per model: which tokens the installed Whisper has is read from its files once.
    const transcribable = new Set(whisperModelLanguages(deps.config.models.whisper));
    const languages = supportedLanguages.map((language) => languageView(language, transcribable));
    const available = await deps.engines.available();
    res.json({ languages, engines: available.map((entry) => ({ name: entry.engine, routes: entry.routes })) });
  });

  /** Which engines translate which pairs, from one language (`from`), into one (`to`), or both. */
  router.get('/languages/pairs', async (req, res) => {
    const parsed = pairsQuery.safeParse(req.query);
    if (!parsed.success) throw new AppError('BAD_REQUEST', `Query: from and to are language codes; engine is one of ${engineNames.join(', ')}`);
    const { engine } = parsed.data;
    const from = parsed.data.from === undefined ? undefined : getLanguage(parsed.data.from).code;
    const to = parsed.data.to === undefined ? undefined : getLanguage(parsed.data.to).code;
    if (from === undefined && to === undefined) throw new AppError('BAD_REQUEST', 'Give from, to or both (e.g. ?from=en): all pairs at once are tens of thousands');
    const available = (await deps.engines.available()).filter((entry) => !engine || entry.engine === engine);
    const candidates: LanguagePair[] = supportedLanguages.flatMap((language) => {
      if (from !== undefined && to !== undefined) return language.code === from ? [{ from, to }] : [];
      return from !== undefined ? [{ from, to: language.code }] : [{ from: language.code, to: to! }];
    });
    const pairs = candidates.flatMap((pair) => {
      // In the registry's order of preference (NLLB, Marian, Apertium, Whisper, llm).
      const engines = available.filter((entry) => routesCover(entry.routes, pair)).map((entry) => entry.engine);
      return engines.length > 0 ? [{ ...pair, engines }] : [];
    });
    res.json({ from: from ?? null, to: to ?? null, pairs });
  });

  return router;
}
