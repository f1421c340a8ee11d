import { routeTargets, supportedLanguages } from '@babelfish/core';
import { api } from './api';
import { setLanguageNames } from './format';
import type { Catalogue } from './types';

/**
 * Languages and installed engines, fetched once per page load. If the request fails, the shared
 * language table still lets the upload form render (the server validates pairs anyway).
 */
let pending: Promise<Catalogue> | undefined;

export function loadCatalogue(): Promise<Catalogue> {
  pending ??= api.languages().catch(() => {
    pending = undefined; // let the next view try again
    const languages = supportedLanguages.map((language) => ({
      code: language.code,
      name: language.name,
      nativeName: language.nativeName,
      bcp47: language.bcp47,
      iso6391: language.iso6391,
      iso6392B: language.iso6392,
      iso6392T: language.iso6392T,
      iso6393: language.iso6393,
      script: language.script,
      direction: language.direction,
      transcribe: language.whisper !== undefined,
      nllb: language.nllb,
    }));
    return { languages, engines: [] } satisfies Catalogue;
  });
  return pending.then((catalogue) => {
    setLanguageNames(catalogue.languages);
    return catalogue;
  });
}

/** Target languages reachable from `source` (or any source for auto-detect) with `engine` (or any). */
export function reachableTargets(catalogue: Catalogue, source: string, engine: string): Set<string> | undefined {
  if (catalogue.engines.length === 0) return undefined; // unknown: offer everything
  const targets = new Set<string>();
  for (const candidate of catalogue.engines) {
    if (engine && candidate.name !== engine) continue;
    for (const code of routeTargets(candidate.routes, source === 'auto' ? undefined : source)) targets.add(code);
  }
  return targets;
}
