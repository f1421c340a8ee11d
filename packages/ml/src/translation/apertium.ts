import { AppError, findLanguage, routesCover, routesFromPairs, supportedLanguages, type LanguagePair, type PairRoute, type Segment } from '@babelfish/core';
import { hasPair, pairLabel, throwIfCanceled, type EngineCheck, type TranslateRequest, type TranslationEngine } from './engine';
import { listModes, translateWithApertium } from './apertium-cli';

/**
 * Rule-based translation with Apertium: fast, offline, no model files, but only for the
 * language pairs whose apertium-* packages are installed.
 *
 * Segments are translated in batches, one process per batch, as blank-line separated paragraphs:
 * Apertium keeps blank lines and treats them as sentence ends, so one segment's words never
 * get reordered into its neighbour and the output splits back into the same number of pieces.
 */

export type ApertiumOptions = { command?: string };

/** Bounds per process: enough to amortise start-up (~0.1 s), small enough for useful progress. */
const BATCH_SEGMENTS = 100;
const BATCH_CHARS = 20_000;

export class ApertiumEngine implements TranslationEngine {
  readonly name = 'apertium' as const;
  private readonly command: string;
  private modes?: Promise<Map<string, string>>;

  constructor(options: ApertiumOptions = {}) {
    this.command = options.command ?? 'apertium';
  }

  async pairs(): Promise<LanguagePair[]> {
    return [...(await this.modeByPair()).keys()].map((key) => {
      const [from = '', to = ''] = key.split('>');
      return { from, to };
    });
  }

  async routes(): Promise<PairRoute[]> {
    return routesFromPairs(await this.pairs());
  }

  async supports(pair: LanguagePair): Promise<boolean> {
    return routesCover(await this.routes(), pair);
  }

  async unavailableReason(check: EngineCheck = {}): Promise<string | undefined> {
    const modes = await this.modeByPair();
    if (modes.size === 0) return `no Apertium language pair is installed (e.g. apt install apertium-eng-spa)`;
    if (!check.pair || modes.has(`${check.pair.from}>${check.pair.to}`)) return undefined;
    return `Apertium has no ${pairLabel(check.pair)} pair installed (installed: ${[...new Set(modes.values())].join(', ')})`;
  }

  async translate(req: TranslateRequest): Promise<Segment[]> {
    const mode = (await this.modeByPair()).get(`${req.from}>${req.to}`);
    if (!mode) throw new AppError('UNSUPPORTED_LANGUAGE_PAIR', `Apertium cannot translate ${req.from} → ${req.to}`);

    const texts = req.segments.map((segment) => segment.text.replace(/\s+/g, ' ').trim());
    const todo = texts.flatMap((text, index) => (text ? [index] : []));
    const translated = texts.slice(); // empty segments stay empty
    let done = 0;
    req.onProgress?.(0);
    for (const batch of batches(todo, texts)) {
      throwIfCanceled(req.signal);
      const results = await this.translateBatch(mode, batch.map((index) => texts[index] ?? ''), req.signal);
      batch.forEach((index, i) => {
        translated[index] = results[i] ?? '';
      });
      done += batch.length;
      req.onProgress?.((100 * done) / Math.max(1, todo.length));
    }
    req.onProgress?.(100);
    return req.segments.map((segment, index) => ({ start: segment.start, end: segment.end, text: translated[index] ?? '' }));
  }

  private async translateBatch(mode: string, texts: string[], signal?: AbortSignal): Promise<string[]> {
    const output = await translateWithApertium(mode, texts.join('\n\n'), this.command);
    const pieces = output.trim().split(/\n[ \t]*\n/).map(cleanApertiumText);
    if (pieces.length === texts.length) return pieces;
    // The separator did not round-trip (unexpected input); fall back to one process per segment.
    const single: string[] = [];
    for (const text of texts) {
      throwIfCanceled(signal);
      single.push(cleanApertiumText(await translateWithApertium(mode, text, this.command)));
    }
    return single;
  }

  /** `en>es` → `eng-spa` for every installed mode whose two languages are in the core table. */
  private modeByPair(): Promise<Map<string, string>> {
    this.modes ??= listModes(this.command).then((modes) => {
      const byPair = new Map<string, string>();
      for (const mode of modes) {
        // Plain `xxx-yyy` only: variants such as `spa-eng_US` or debugging modes are not offered.
        const match = /^([a-z]{2,3})-([a-z]{2,3})$/.exec(mode);
        const from = match?.[1] && languageForApertium(match[1]);
        const to = match?.[2] && languageForApertium(match[2]);
        if (from && to && !byPair.has(`${from}>${to}`)) byPair.set(`${from}>${to}`, mode);
      }
      return byPair;
    });
    return this.modes;
  }
}

/** Older Apertium packages name modes with ISO 639-1 codes (`fr-es`), newer ones with ISO 639-3. */
function languageForApertium(code: string): string | undefined {
  return findLanguage(code)?.code;
}

/**
 * Removes Apertium's marks and keeps the word: `*` unknown word (also suppressed by -u),
 * `#` generation error, `@` transfer error.
 */
export function cleanApertiumText(text: string): string {
  return text
    .replace(/(^|[\s"'(«¿¡“‘-])[*#@]+(?=[\p{L}\p{N}])/gu, '$1')
    .replace(/\s+/g, ' ')
    .trim();
}

function* batches(indices: number[], texts: string[]): Generator<number[]> {
  let batch: number[] = [];
  let chars = 0;
  for (const index of indices) {
    const length = texts[index]?.length ?? 0;
    if (batch.length > 0 && (batch.length >= BATCH_SEGMENTS || chars + length > BATCH_CHARS)) {
      yield batch;
      batch = [];
      chars = 0;
    }
    batch.push(index);
    chars += length;
  }
  if (batch.length > 0) yield batch;
}
