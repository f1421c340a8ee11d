import { AppError, expandRoutes, getLanguage, type EngineName, type PairRoute } from '@babelfish/core';
import { configureModels, modelSettings } from '../model-env';
import { ApertiumEngine } from './apertium';
import { pairLabel, type EngineCheck, type TranslationEngine } from './engine';
import { LlmEngine, type LlmSettings } from './llm';
import { MarianEngine } from './marian';
import { NllbEngine } from './nllb';
import { WhisperTranslationEngine } from './whisper';
import type { SpeechModel } from '../whisper';
import type { TextModelRunner } from './text-model';
import type { TranslationCache } from './translation-cache';

/**
 * All translation engines behind one lookup. An engine the job names is the one used, or the job
 * is refused with the reason (ENGINE_UNAVAILABLE): never quietly swapped for another. With no
 * engine named we take the best available, among engines that can run here: NLLB (one model, all pairs, best
 * quality), then Marian (per-pair models), then Apertium (rule-based, few pairs), then Whisper
 * (speech → English only). The llm engine (a remote or local chat model, when configured) comes
 * only when asked for or when nothing else can do the pair: it may cost money per token.
 */

export type EngineRegistryOptions = {
  modelsDir: string;
  /** Where hub downloads are cached; defaults to transformers.js' current cache dir. */
  cacheDir?: string;
  allowRemote: boolean;
  whisperModelId?: string;
  whisperDtype?: string;
  /** The Whisper model the whisper engine uses (the worker's inference thread); defaults to getWhisper. */
  whisper?: () => Promise<SpeechModel>;
  nllbModelId?: string;
  /** Where NLLB and Marian run (the worker's text-model thread); defaults to this thread. */
  textModels?: TextModelRunner;
  apertiumCommand?: string;
  /** The OpenAI-compatible server of the llm engine; absent = the engine offers no pair. */
  llm?: LlmSettings;
  /** Where the llm engine keeps finished lines (the worker: a database table). */
  translationCache?: TranslationCache;
};

export type EngineAvailability = { engine: EngineName; routes: PairRoute[] };

export type EngineRegistry = {
  get(name: EngineName): TranslationEngine;
  available(): Promise<EngineAvailability[]>;
  /** The named engine (which must be able to do the pair), else the best available. */
  resolve(from: string, to: string, named?: EngineName, options?: { llmModel?: string }): Promise<TranslationEngine>;
  /** The engine, or ENGINE_UNAVAILABLE naming it and why it cannot take the pair (with no pair: cannot run at all). */
  assertUsable(name: EngineName, check?: EngineCheck): Promise<TranslationEngine>;
};

export const enginePreference: readonly EngineName[] = ['nllb', 'marian', 'apertium', 'whisper', 'llm'];

/** Also configures transformers.js (process-wide) so engines load from where they check for files. */
export function createEngineRegistry(options: EngineRegistryOptions): EngineRegistry {
  configureModels({
    modelsDir: options.modelsDir,
    cacheDir: options.cacheDir ?? modelSettings().cacheDir,
    allowRemote: options.allowRemote,
    hubUrl: modelSettings().hubUrl, // keep the hub configureModels was given at start-up
    devices: modelSettings().devices, // and the devices resolved then
  });
  const engines: Record<EngineName, TranslationEngine> = {
    nllb: new NllbEngine({ modelId: options.nllbModelId, runner: options.textModels }),
    marian: new MarianEngine({ runner: options.textModels }),
    apertium: new ApertiumEngine({ command: options.apertiumCommand }),
    whisper: new WhisperTranslationEngine({ modelId: options.whisperModelId, dtype: options.whisperDtype, load: options.whisper }),
    llm: new LlmEngine({
      settings: options.llm,
      cache: options.translationCache,
      // A line the model never gets right goes to the best text engine for the pair (Whisper
      // listens to the audio, so it cannot take one line).
      fallback: async (pair) => {
        for (const name of enginePreference) {
          if (name !== 'llm' && name !== 'whisper' && (await engines[name].supports(pair))) return engines[name];
        }
        return undefined;
      },
    }),
  };

  const available = async (): Promise<EngineAvailability[]> => {
    const listed = await Promise.all(enginePreference.map(async (name) => ({ engine: name, routes: await engines[name].routes() })));
    return listed.filter((entry) => entry.routes.some((route) => route.from.length > 0 && route.to.length > 0));
  };

  const assertUsable = async (name: EngineName, check: EngineCheck = {}): Promise<TranslationEngine> => {
    const reason = await engines[name].unavailableReason(check);
    if (!reason) return engines[name];
    const what = check.pair ? `translate ${pairLabel(check.pair)}` : 'run';
    throw new AppError('ENGINE_UNAVAILABLE', `The ${name} engine cannot ${what} here: ${reason}`, { engine: name, reason, available: await available() });
  };

  return {
    get: (name) => engines[name],
    available,
    assertUsable,
    async resolve(from, to, named, options = {}) {
      const pair = { from: getLanguage(from).code, to: getLanguage(to).code };
      if (named) return assertUsable(named, { pair, llmModel: options.llmModel });
      for (const name of enginePreference) {
        if (await engines[name].supports(pair)) return engines[name];
      }
      const listed = await available();
      throw new AppError(
        'UNSUPPORTED_LANGUAGE_PAIR',
        `No engine translates ${pair.from} → ${pair.to}. Available pairs: ${describePairs(listed)}`,
        { from: pair.from, to: pair.to, available: listed },
      );
    },
  };
}

/** Past this many pairs an engine is summed up ("nllb: any pair of 202 languages") rather than listed. */
const LISTED_PAIRS = 24;

/**
 * "en→es (apertium), es→en (apertium, whisper), …", or "none" when nothing is installed. Engines
 * with many pairs are summed up: "nllb: any pair of 202 languages", "whisper: 98 languages → en".
 */
export function describePairs(listed: EngineAvailability[]): string {
  const enginesByPair = new Map<string, EngineName[]>();
  const summaries: string[] = [];
  for (const { engine, routes } of listed) {
    const pairs = expandRoutes(routes);
    if (pairs.length > LISTED_PAIRS) {
      summaries.push(`${engine}: ${routes.map(describeRoute).join('; ')}`);
      continue;
    }
    for (const pair of pairs) {
      const key = `${pair.from}→${pair.to}`;
      enginesByPair.set(key, [...(enginesByPair.get(key) ?? []), engine]);
    }
  }
  const listedPairs = [...enginesByPair.entries()].map(([pair, names]) => `${pair} (${names.join(', ')})`);
  const all = [...listedPairs, ...summaries];
  return all.length === 0 ? 'none' : all.join(', ');
}

function describeRoute(route: PairRoute): string {
  const side = (codes: string[]) => (codes.length > 3 ? `${codes.length} languages` : codes.join('/'));
  const same = route.from.length === route.to.length && route.from.every((code, i) => code === route.to[i]);
  return same ? `any pair of ${side(route.from)}` : `${side(route.from)} → ${side(route.to)}`;
}
