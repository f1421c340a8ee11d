import { setTimeout as delay } from 'node:timers/promises';
import type OpenAI from 'openai';
import { AppError, describeError, expandRoutes, supportedLanguages, type EngineName, type LanguagePair, type PairRoute, type Segment } from '@babelfish/core';
import { pairLabel, throwIfCanceled, type EngineCheck, type TranslateRequest, type TranslationEngine, type TranslationReport } from './engine';
import { createLlmServerProbe, type LlmServerState } from './llm-server-probe';
import { DEFAULT_CHUNK_LIMITS, buildMessages, parseReply, planChunks, type ChatMessage, type ChunkLimits } from './llm-prompt';
import { openingSummary, parseSummaryReply, summaryMessages, type VideoSummary } from './llm-summary';
import { translationCacheKey, type TranslationCache } from './translation-cache';

/**
 * Translation by a large language model behind any OpenAI-compatible chat completions API
 * (Ollama, vLLM, llama.cpp server, LM Studio, OpenAI, DeepSeek, OpenRouter). The model sees each
 * chunk of lines in context (see llm-prompt.ts) and every reply is checked; a bad reply is asked
 * again once, then the chunk is halved, and a single line that still fails goes to the next
 * engine that can translate the pair. Before the chunks, one request summarises the whole
 * transcript (see llm-summary.ts). Finished lines and summaries are cached, so a re-run costs
 * nothing.
 */

export type LlmSettings = {
  baseUrl: string;
  /** Local servers take any key; the client needs a non-empty one. */
  apiKey?: string;
  model: string;
  /** Requests in flight at once from this process. */
  concurrency: number;
  timeoutMs: number;
};

export type LlmEngineOptions = {
  /** Absent: the engine is not configured and offers no pair. */
  settings?: LlmSettings;
  cache?: TranslationCache;
  /** The engine for lines the model never gets right (the registry's next one for the pair). */
  fallback?: (pair: LanguagePair) => Promise<TranslationEngine | undefined>;
  chunkLimits?: Partial<ChunkLimits>;
};

/** A server's Retry-After is honoured up to this: a server that asks for an hour gets tried again sooner, and fails the job if still busy. */
const MAX_RETRY_AFTER_MS = 30_000;
/** Attempts per request on 429, 5xx, timeouts and refused connections. */
const TRANSIENT_ATTEMPTS = 4;
const BACKOFF_BASE_MS = 1000;
/**
 * Bad replies with not one good one: the model cannot follow the format (too small, wrong
 * template), and halving down to single lines would only spend ~4 requests per line on it.
 */
const MAX_BAD_REPLIES_WITHOUT_GOOD = 16;

/** Rejects (AbortError) as soon as `signal` is aborted. */
const sleep = (ms: number, signal: AbortSignal) => delay(ms, undefined, { signal });

type Run = {
  req: TranslateRequest;
  model: string;
  texts: string[];
  summary: VideoSummary;
  report: TranslationReport;
  failed: number[];
  goodReplies: number;
  badReplies: number;
  /** Aborted when any chunk fails: the job has failed, so nothing more is sent (or paid for). */
  signal: AbortSignal;
  onLinesDone: (indices: number[], translations: string[]) => Promise<void>;
};

export class LlmEngine implements TranslationEngine {
  readonly name = 'llm' as const;
  /** The OpenAI client, made on the first request: the SDK costs ~30 MB, and most processes never call it. */
  private client?: Promise<{ client: OpenAI; sdk: typeof import('openai') }>;
  private readonly server?: () => Promise<LlmServerState>;
  private readonly limits: ChunkLimits;
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  /** Summary requests in flight, by cache key: two target languages translating at once share one. */
  private readonly summaries = new Map<string, Promise<{ summary: VideoSummary } | { problem: string } | { canceled: true }>>();

  constructor(private readonly options: LlmEngineOptions = {}) {
    const settings = options.settings;
    if (settings) {
      this.server = createLlmServerProbe(settings);
    }
    this.limits = { ...DEFAULT_CHUNK_LIMITS, ...options.chunkLimits };
  }

  // A chat model is asked in words ("from Egyptian Arabic into Zulu"), so any pair of the table,
  // but only while its server answers: "best available" means engines that can run now.
  async routes(): Promise<PairRoute[]> {
    if (!this.server || !(await this.server()).reachable) return [];
    const all = supportedLanguages.map((language) => language.code);
    return [{ from: all, to: all }];
  }

  async pairs(): Promise<LanguagePair[]> {
    return expandRoutes(await this.routes());
  }
  async supports(pair: LanguagePair): Promise<boolean> {
    return (await this.unavailableReason({ pair })) === undefined;
  }

  async unavailableReason(check: EngineCheck = {}): Promise<string | undefined> {
    if (!this.server || !this.options.settings) return 'it is not configured (set LLM_BASE_URL and LLM_MODEL)';
    const { pair } = check;
    if (pair && (pair.from === pair.to || ![pair.from, pair.to].every((code) => supportedLanguages.some((language) => language.code === code)))) {
      return `it has no ${pairLabel(pair)} direction`;
    }
    const state = await this.server();
    if (!state.reachable) return state.reason;
    const model = check.llmModel || this.options.settings.model;
    if (state.models && !state.models.includes(model)) {
      const listed = state.models.slice(0, 10).join(', ') + (state.models.length > 10 ? ', …' : '');
      return `the LLM server (LLM_BASE_URL) does not serve the model ${model} (it lists: ${listed})`;
    }
    return undefined;
  }

  async translate(req: TranslateRequest): Promise<Segment[]> {
    if (!this.options.settings) throw new AppError('UNSUPPORTED_LANGUAGE_PAIR', 'The llm engine is not configured (set LLM_BASE_URL)');
    const model = req.llm?.model || this.options.settings.model;
    const texts = req.segments.map((segment) => segment.text.replace(/\s+/g, ' ').trim());
    const translated = texts.map(() => '');
    const report: TranslationReport = { engine: 'llm', model, linesTranslated: 0, linesCached: 0, fallbackLines: 0, requests: 0, badReplies: 0, promptTokens: 0, completionTokens: 0 };
    const cacheKey = (index: number) =>
      translationCacheKey({ text: texts[index] ?? '', from: req.from, to: req.to, engine: 'llm', model, glossary: req.glossary, style: req.llm?.style });

    const wanted = texts.flatMap((text, index) => (text ? [index] : []));
    const cached = this.options.cache ? await this.options.cache.get(wanted.map(cacheKey)) : new Map<string, string>();
    const todo = wanted.filter((index) => {
      const hit = cached.get(cacheKey(index));
      if (hit !== undefined) translated[index] = hit;
      return hit === undefined;
    });
    report.linesCached = wanted.length - todo.length;
    report.linesTranslated = todo.length;

    let done = 0;
    req.onProgress?.(0);
    throwIfCanceled(req.signal);
    const stop = new AbortController();
    // A canceled job aborts the requests in flight (the HTTP connection is closed, so the
    // server can stop generating) and sends no more.
    const onCanceled = () => stop.abort();
    req.signal?.addEventListener('abort', onCanceled, { once: true });
    const run: Run = {
      req,
      model,
      texts,
      summary: openingSummary(texts, this.limits.summaryChars),
      report,
      failed: [],
      goodReplies: 0,
      badReplies: 0,
      signal: stop.signal,
      onLinesDone: async (indices, lines) => {
        indices.forEach((index, i) => {
          translated[index] = lines[i] ?? '';
        });
        // Saved as each chunk lands: a job that dies half-way keeps what it paid for.
        await this.options.cache?.set(indices.map((index, i) => ({ key: cacheKey(index), text: lines[i] ?? '' })));
        done += indices.length;
        req.onProgress?.((95 * done) / Math.max(1, todo.length));
      },
    };
    try {
      // Only when something is left to translate: a run answered from the cache sends nothing.
      if (todo.length > 0) run.summary = await this.summarize(run);
      await Promise.all(planChunks(todo, texts, this.limits).map((chunk) => this.translateChunk(run, chunk)));
    } catch (error) {
      // Whatever the abort surfaced as (the SDK's APIUserAbortError, an AbortError) is a cancel, not a failure.
      throwIfCanceled(req.signal);
      throw error;
    } finally {
      stop.abort();
      req.signal?.removeEventListener('abort', onCanceled);
    }
    throwIfCanceled(req.signal);

    if (run.failed.length > 0) {
      const fallback = await this.fallbackLines(run, run.failed.sort((a, b) => a - b));
      run.failed.forEach((index, i) => {
        translated[index] = fallback.texts[i] ?? '';
      });
      report.fallbackLines = run.failed.length;
      report.fallbackEngine = fallback.engine;
    }
    req.onProgress?.(100);
    req.onReport?.(report);
    return req.segments.map((segment, index) => ({ start: segment.start, end: segment.end, text: translated[index] ?? '' }));
  }

  /**
   * The whole transcript's summary: from the cache (keyed by the transcript, source language
   * and model, not the target, so every target language shares it), else one request. A failed
   * or unusable reply leaves the transcript's opening in its place and says why in the report.
   */
  private async summarize(run: Run): Promise<VideoSummary> {
    const key = translationCacheKey({ text: run.texts.join('\n'), from: run.req.from, to: '', engine: 'llm-summary', model: run.model });
    const cached = (await this.options.cache?.get([key]))?.get(key);
    const fromCache = cached === undefined ? undefined : parseSummaryReply(cached);
    if (fromCache?.ok) {
      run.report.summarySource = 'cache';
      return fromCache.summary;
    }
    let pending = this.summaries.get(key);
    const shared = pending !== undefined;
    if (!pending) {
      pending = this.requestSummary(run, key);
      this.summaries.set(key, pending);
      void pending.finally(() => {
        if (this.summaries.get(key) === pending) this.summaries.delete(key);
      });
    }
    let outcome = await pending;
    // The run that sent the shared request was canceled: this one is not, so it asks for itself.
    if ('canceled' in outcome && !run.signal.aborted) {
      pending = this.requestSummary(run, key);
      this.summaries.set(key, pending);
      outcome = await pending.finally(() => {
        if (this.summaries.get(key) === pending) this.summaries.delete(key);
      });
    }
    throwIfCanceled(run.req.signal);
    if ('canceled' in outcome) return run.summary; // not reached: only a cancel stops a run during its summary
    if ('summary' in outcome) {
      run.report.summarySource = shared ? 'cache' : 'model';
      return outcome.summary;
    }
    run.report.summarySource = 'opening';
    run.report.summaryProblem = outcome.problem;
    return run.summary;
  }

  private async requestSummary(run: Run, key: string): Promise<{ summary: VideoSummary } | { problem: string } | { canceled: true }> {
    try {
      const parsed = parseSummaryReply(await this.complete(run, summaryMessages(run.req.from, run.texts, this.limits.summaryInputChars)));
      if (!parsed.ok) return { problem: parsed.problem };
      await this.options.cache?.set([{ key, text: JSON.stringify({ summary: parsed.summary.text, terms: parsed.summary.terms }) }]);
      return { summary: parsed.summary };
    } catch (error) {
      if (run.signal.aborted) return { canceled: true };
      return { problem: describeError(error) };
    }
  }

  /** Two tries as is, then each half on its own; a single line that keeps failing is left for the fallback. */
  private async translateChunk(run: Run, chunk: number[]): Promise<void> {
    const messages = buildMessages({
      from: run.req.from,
      to: run.req.to,
      texts: run.texts,
      chunk,
      summary: run.summary,
      glossary: run.req.glossary,
      style: run.req.llm?.style,
      contextLines: this.limits.contextLines,
    });
    for (let attempt = 0; attempt < 2; attempt++) {
      const reply = parseReply(await this.complete(run, messages), chunk, run.texts);
      if (reply.ok) {
        run.goodReplies++;
        return run.onLinesDone(chunk, reply.texts);
      }
      run.badReplies++;
      run.report.badReplies++;
      if (run.goodReplies === 0 && run.badReplies >= MAX_BAD_REPLIES_WITHOUT_GOOD) {
        throw new AppError('TRANSLATION_FAILED', `The model ${run.model} gave no usable reply in ${run.badReplies} tries (the last: ${reply.problem}); try a larger model`);
      }
    }
    if (chunk.length === 1) {
      run.failed.push(chunk[0]!);
      return;
    }
    const half = Math.ceil(chunk.length / 2);
    await Promise.all([this.translateChunk(run, chunk.slice(0, half)), this.translateChunk(run, chunk.slice(half))]);
  }

  private async fallbackLines(run: Run, indices: number[]): Promise<{ engine: EngineName; texts: string[] }> {
    const pair = { from: run.req.from, to: run.req.to };
    const engine = await this.options.fallback?.(pair);
    if (!engine) {
      const first = run.texts[indices[0]!] ?? '';
      throw new AppError(
        'TRANSLATION_FAILED',
        `The model ${run.model} gave no valid translation of ${indices.length} line(s) (the first: "${first.slice(0, 80)}") and no other engine translates ${pair.from} → ${pair.to}`,
      );
    }
    const segments = await engine.translate({
      segments: indices.map((index) => ({ start: 0, end: 0, text: run.texts[index] ?? '' })),
      from: pair.from,
      to: pair.to,
      signal: run.req.signal,
    });
    return { engine: engine.name, texts: segments.map((segment) => segment.text) };
  }

  /** One chat completion's text. 429, 5xx, timeouts and refused connections wait and try again. */
  private async complete(run: Run, messages: ChatMessage[]): Promise<string> {
    const { client, sdk } = await this.sdk();
    const { APIConnectionError, APIError } = sdk;
    for (let attempt = 1; ; attempt++) {
      try {
        const completion = await this.limited(run.signal, () => {
          run.signal.throwIfAborted();
          run.report.requests++;
          return client.chat.completions.create({ model: run.model, messages, temperature: 0 }, { signal: run.signal });
        });
        run.report.promptTokens += completion.usage?.prompt_tokens ?? 0;
        run.report.completionTokens += completion.usage?.completion_tokens ?? 0;
        return completion.choices[0]?.message?.content ?? '';
      } catch (error) {
        if (run.signal.aborted) throw error;
        const transient = error instanceof APIConnectionError || (error instanceof APIError && (error.status === 429 || (error.status ?? 0) >= 500));
        const reason = error instanceof APIError && error.status ? `HTTP ${error.status}` : error instanceof Error ? error.message : String(error);
        if (!transient) {
          // 400/401/404…: a wrong key, model name or URL; the server's own words say which.
          const said = error instanceof APIError ? (error.error as { message?: unknown } | undefined)?.message : undefined;
          const detail = typeof said === 'string' ? `: ${said.slice(0, 200)}` : '';
          throw new AppError('TRANSLATION_FAILED', `The LLM server refused the request for model ${run.model} (${reason}${detail})`, undefined, { cause: error });
        }
        if (attempt >= TRANSIENT_ATTEMPTS) {
          throw new AppError('TRANSLATION_FAILED', `The LLM server did not answer after ${attempt} attempts (${reason})`, undefined, { cause: error });
        }
        const wait = error instanceof APIError ? retryAfterMs(error.headers) : undefined;
        // Cut short by a cancel: a Retry-After of 30 s must not hold a canceled job that long.
        await sleep(Math.min(wait ?? BACKOFF_BASE_MS * 2 ** (attempt - 1), MAX_RETRY_AFTER_MS), run.signal);
      }
    }
  }

  private sdk(): Promise<{ client: OpenAI; sdk: typeof import('openai') }> {
    const settings = this.options.settings!;
    this.client ??= import('openai').then((sdk) => ({
      sdk,
      // maxRetries 0: our own loop retries, honouring Retry-After (the client's caps it differently).
      client: new sdk.default({ baseURL: settings.baseUrl, apiKey: settings.apiKey || 'none', timeout: settings.timeoutMs, maxRetries: 0 }),
    }));
    return this.client;
  }

  /** At most `concurrency` requests in flight per process, however many jobs translate at once. */
  private async limited<T>(signal: AbortSignal, work: () => Promise<T>): Promise<T> {
    const limit = this.options.settings?.concurrency ?? 1;
    while (this.active >= limit) {
      signal.throwIfAborted();
      // A canceled run stops waiting at once, rather than when another job's request ends.
      await new Promise<void>((resolve) => {
        const wake = () => {
          signal.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          const at = this.waiting.indexOf(wake);
          if (at >= 0) this.waiting.splice(at, 1);
          resolve();
        };
        this.waiting.push(wake);
        signal.addEventListener('abort', onAbort, { once: true });
      });
    }
    this.active++;
    try {
      return await work();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

/** Retry-After in seconds or as an HTTP date, or OpenAI's retry-after-ms; undefined when absent or unreadable. */
export function retryAfterMs(headers: Headers | undefined, now = Date.now()): number | undefined {
  const ms = Number(headers?.get('retry-after-ms'));
  if (headers?.get('retry-after-ms') && Number.isFinite(ms) && ms >= 0) return ms;
  const value = headers?.get('retry-after');
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
