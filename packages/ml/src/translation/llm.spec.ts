import type { AppError, Segment } from '@babelfish/core';
import { closedPort } from '../testing/closed-port';
import { DEFAULT_SUMMARY, startChatServer, type ChatServerProcess } from '../testing/chat-server-process';
import { ApertiumEngine } from './apertium';
import type { TranslationReport } from './engine';
import { LlmEngine, retryAfterMs, type LlmEngineOptions } from './llm';
import { memoryTranslationCache, type TranslationCache } from './translation-cache';

/**
 * The llm engine against a scripted OpenAI-compatible server in its own process on loopback:
 * each case tells the "model" how to misbehave and checks that the engine still returns every
 * line, in place, and says what it cost. Apertium (eng-spa, installed here) is the fallback.
 */

const sentences = ['Good evening, everyone.', 'We choose to go to the moon.', 'We never give up.', 'Thank you very much.'];
const segments: Segment[] = sentences.map((text, i) => ({ start: i * 2, end: i * 2 + 1.5, text }));
const echoed = sentences.map((text) => `[es] ${text}`);

describe('llm translation engine (scripted chat completions server)', () => {
  let server: ChatServerProcess;
  let cache: TranslationCache;
  beforeAll(async () => {
    server = await startChatServer();
  });
  afterAll(() => server?.stop());
  beforeEach(() => {
    cache = memoryTranslationCache();
  });

  const engine = (options: Partial<LlmEngineOptions> & { timeoutMs?: number } = {}) =>
    new LlmEngine({
      settings: { baseUrl: server.baseUrl, apiKey: 'test-key', model: 'test-model', concurrency: 2, timeoutMs: options.timeoutMs ?? 5000 },
      cache,
      fallback: async () => new ApertiumEngine(),
      ...options,
    });

  const translate = async (llm: LlmEngine, extra: Partial<Parameters<LlmEngine['translate']>[0]> = {}) => {
    let report: TranslationReport | undefined;
    const result = await llm.translate({ segments, from: 'en', to: 'es', onReport: (value) => (report = value), ...extra });
    return { texts: result.map((segment) => segment.text), result, report: report! };
  };

  it('is unavailable without a base URL and offers every known pair with one', async () => {
    expect(await new LlmEngine().pairs()).toEqual([]);
    expect(await new LlmEngine().supports({ from: 'en', to: 'es' })).toBe(false);
    expect(await engine().supports({ from: 'en', to: 'ja' })).toBe(true);
    expect(await engine().supports({ from: 'en', to: 'en' })).toBe(false);
    expect((await engine().pairs()).length).toBeGreaterThan(100);
  });

  it('says why it cannot run: not configured, the server down, the model not served', async () => {
    expect(await new LlmEngine().unavailableReason()).toBe('it is not configured (set LLM_BASE_URL and LLM_MODEL)');
    const baseUrl = `http://127.0.0.1:${await closedPort()}/v1`;
    const down = new LlmEngine({ settings: { baseUrl, model: 'm', concurrency: 1, timeoutMs: 1000 } });
    expect(await down.unavailableReason()).toBe('the LLM server (LLM_BASE_URL) does not answer (ECONNREFUSED)');
    expect(await down.supports({ from: 'en', to: 'es' })).toBe(false);
    expect(await down.pairs()).toEqual([]);

    await server.setScript({ models: ['qwen2.5:7b', 'llama3.1:8b'] });
    expect(await engine().unavailableReason({ pair: { from: 'en', to: 'es' } })).toBe(
      'the LLM server (LLM_BASE_URL) does not serve the model test-model (it lists: qwen2.5:7b, llama3.1:8b)',
    );
    expect(await engine().unavailableReason({ pair: { from: 'en', to: 'es' }, llmModel: 'llama3.1:8b' })).toBeUndefined();
    expect(await engine().unavailableReason({ pair: { from: 'en', to: 'en' } })).toBe('it has no en → en direction');
  });

  it('translates a good reply in one request, keeping timing, and reports the tokens', async () => {
    await server.setScript({ steps: [{ kind: 'echo' }] });
    const { texts, result, report } = await translate(engine(), { llm: { style: 'formal' } });
    expect(texts).toEqual(echoed);
    expect(result.map((segment) => [segment.start, segment.end])).toEqual(segments.map((segment) => [segment.start, segment.end]));
    const requests = await server.requests();
    expect(requests).toHaveLength(1);
    expect(requests[0]!.body.model).toBe('test-model');
    const user = requests[0]!.body.messages[1]!.content;
    expect(user).toContain(`About the video: ${DEFAULT_SUMMARY.summary}\nKey terms (translate each the same way every time): ${DEFAULT_SUMMARY.terms[0]}`);
    expect(user).toContain('Style: formal');
    expect(user).toContain(JSON.stringify({ 1: sentences[0], 2: sentences[1], 3: sentences[2], 4: sentences[3] }));
    expect(requests[0]!.body.messages[0]!.content).toMatch(/from English to Spanish/);
    // The summary request and the chunk's: the scripted server counts 100 + 20 tokens for each.
    expect(await server.requests('summary')).toHaveLength(1);
    expect(report).toMatchObject({ engine: 'llm', model: 'test-model', requests: 2, badReplies: 0, promptTokens: 200, completionTokens: 40, linesTranslated: 4, fallbackLines: 0, summarySource: 'model' });
  });

  it('sends chunks of numbered lines with the neighbouring lines as read-only context, and the job model and glossary', async () => {
    await server.setScript({});
    const glossary = [{ source: 'moon', target: 'Luna' }];
    const { texts } = await translate(engine({ chunkLimits: { maxLines: 2 } }), { llm: { model: 'other-model' }, glossary });
    expect(texts).toEqual(echoed);
    const requests = await server.requests();
    expect(requests).toHaveLength(2);
    expect(requests.every((request) => request.body.model === 'other-model')).toBe(true);
    const second = requests.map((request) => request.body.messages[1]!.content).find((content) => content.includes('"3":'))!;
    expect(second).toContain(`Previous lines (context only, do not translate):\n1: ${sentences[0]}\n2: ${sentences[1]}`);
    expect(second).toContain(JSON.stringify({ 3: sentences[2], 4: sentences[3] }));
    expect(second).not.toContain('Following lines');
    expect(second).toContain('- moon → Luna');
    // The first chunk sees what comes after it, read-only, and nothing before.
    const first = requests.map((request) => request.body.messages[1]!.content).find((content) => content.includes('"1":'))!;
    expect(first).toContain(`Following lines (context only, do not translate):\n3: ${sentences[2]}\n4: ${sentences[3]}`);
    expect(first).toContain(JSON.stringify({ 1: sentences[0], 2: sentences[1] }));
    expect(first).not.toContain('Previous lines');
  });

  // settings.concurrency is LLM_CONCURRENCY (the worker passes config.llm as these settings; config.spec.ts maps the variable).
  it.each([1, 3])('keeps at most LLM_CONCURRENCY=%i requests in flight, however many chunks are waiting', async (concurrency) => {
    const many = Array.from({ length: 8 }, (_, i) => ({ start: i * 2, end: i * 2 + 1.5, text: `Line number ${i + 1} of the talk.` }));
    // Every reply takes a while, so chunks that may run together really overlap at the server.
    await server.setScript({ fallback: { kind: 'hang', ms: 400 } });
    const llm = new LlmEngine({
      settings: { baseUrl: server.baseUrl, apiKey: 'test-key', model: 'test-model', concurrency, timeoutMs: 10_000 },
      cache,
      chunkLimits: { maxLines: 1 },
    });
    const result = await llm.translate({ segments: many, from: 'en', to: 'es' });
    expect(result.map((segment) => segment.text)).toEqual(many.map((segment) => `[es] ${segment.text}`));
    expect(await server.requests()).toHaveLength(8);
    expect(await server.maxInFlight()).toBe(concurrency);
  });

  it('accepts a reply in a ```json fence', async () => {
    await server.setScript({ steps: [{ kind: 'fenced' }] });
    expect((await translate(engine())).texts).toEqual(echoed);
    expect(await server.requests()).toHaveLength(1);
  });

  it('a missing id twice: splits the chunk in half and translates each half', async () => {
    await server.setScript({ steps: [{ kind: 'drop' }, { kind: 'drop' }] });
    const { texts, report } = await translate(engine());
    expect(texts).toEqual(echoed);
    const requests = await server.requests();
    expect(requests).toHaveLength(4);
    const halves = requests.slice(2).map((request) => request.body.messages[1]!.content);
    expect(halves.some((content) => content.includes(JSON.stringify({ 1: sentences[0], 2: sentences[1] })))).toBe(true);
    expect(halves.some((content) => content.includes(JSON.stringify({ 3: sentences[2], 4: sentences[3] })))).toBe(true);
    expect(report).toMatchObject({ requests: 5, badReplies: 2 }); // and the summary
  });

  it.each([
    ['two lines merged into one id', 'merge'],
    ['an extra id', 'extra'],
    ['invalid JSON', 'invalid'],
  ] as const)('rejects %s and asks again, never shifting a line', async (_name, kind) => {
    await server.setScript({ steps: [{ kind }] });
    expect((await translate(engine())).texts).toEqual(echoed);
    expect(await server.requests()).toHaveLength(2);
  });

  it('rejects a reply that loses a glossary placeholder or empties a line', async () => {
    const protectedSegments = [{ start: 0, end: 1, text: 'ZXQ0 is here.' }, { start: 1, end: 2, text: 'Hello.' }];
    await server.setScript({ steps: [{ kind: 'content', content: '{"1":"Está aquí.","2":"Hola."}' }, { kind: 'content', content: '{"1":"ZXQ0 está aquí.","2":" "}' }] });
    const result = await engine().translate({ segments: protectedSegments, from: 'en', to: 'es', glossary: [{ source: 'Babelfish', target: 'Babelfish' }] });
    expect(result.map((segment) => segment.text)).toEqual(['[es] ZXQ0 is here.', '[es] Hello.']);
    expect(await server.requests()).toHaveLength(4); // two bad replies, then each half alone
  });

  it('waits as long as a 429 Retry-After says before trying again', async () => {
    await server.setScript({ steps: [{ kind: 'status', status: 429, retryAfter: '1' }] });
    expect((await translate(engine())).texts).toEqual(echoed);
    const requests = await server.requests();
    expect(requests).toHaveLength(2);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950);
  });

  it('backs off after a 503 without Retry-After; a 401 fails at once with the server’s reason', async () => {
    await server.setScript({ steps: [{ kind: 'status', status: 503 }] });
    expect((await translate(engine())).texts).toEqual(echoed);
    const requests = await server.requests();
    expect(requests).toHaveLength(2);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(950);

    cache = memoryTranslationCache(); // else the lines just translated come from the cache
    await server.setScript({ steps: [{ kind: 'status', status: 401 }] });
    const error = (await translate(engine()).catch((e: unknown) => e)) as AppError;
    expect(error).toMatchObject({ code: 'TRANSLATION_FAILED', message: expect.stringContaining('HTTP 401: scripted 401') });
    expect(await server.requests()).toHaveLength(1);
  });

  it('abandons a request that hangs past the timeout and tries again', async () => {
    await server.setScript({ steps: [{ kind: 'hang', ms: 10_000 }] });
    const started = Date.now();
    expect((await translate(engine({ timeoutMs: 400 }))).texts).toEqual(echoed);
    expect(Date.now() - started).toBeLessThan(5000);
    const requests = await server.requests();
    expect(requests).toHaveLength(2);
    expect(requests[1]!.at - requests[0]!.at).toBeGreaterThanOrEqual(400);
  });

  it('a cancel aborts the request in flight, and one during a Retry-After wait sends nothing more: CANCELED', async () => {
    const untilSent = async (count: number) => {
      while ((await server.requests()).length < count) await new Promise((resolve) => setTimeout(resolve, 50));
    };
    await server.setScript({ steps: [{ kind: 'hang', ms: 20_000 }] });
    const hanging = new AbortController();
    const first = translate(engine({ timeoutMs: 30_000 }), { signal: hanging.signal }).catch((error: unknown) => error);
    await untilSent(1);
    hanging.abort();
    expect(await first).toMatchObject({ code: 'CANCELED' });
    // The server saw the connection closed under the request it was still answering.
    while (!(await server.requests())[0]!.closedBeforeReply) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await server.requests()).toHaveLength(1);

    // A 429 asking for 30 s: the cancel ends the wait (the test would time out otherwise) and no retry goes out.
    await server.setScript({ steps: [{ kind: 'status', status: 429, retryAfter: '30' }] });
    const waiting = new AbortController();
    const second = translate(engine(), { signal: waiting.signal }).catch((error: unknown) => error);
    await untilSent(1);
    waiting.abort();
    expect(await second).toMatchObject({ code: 'CANCELED' });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await server.requests()).toHaveLength(1);
    // Already canceled: nothing is sent at all.
    await server.setScript({});
    expect(await translate(engine(), { signal: AbortSignal.abort() }).catch((error: unknown) => error)).toMatchObject({ code: 'CANCELED' });
    expect(await server.requests('all')).toHaveLength(0);
  });

  it('a line that never succeeds goes to Apertium alone and is counted; the others stay the model’s', async () => {
    await server.setScript({ poison: 'never give up' });
    const { texts, report } = await translate(engine());
    expect(texts.filter((_, i) => i !== 2)).toEqual(echoed.filter((_, i) => i !== 2));
    expect(texts[2]).not.toMatch(/^\[es\]/);
    expect(texts[2]!.toLowerCase()).toMatch(/nunca/);
    expect(report).toMatchObject({ fallbackLines: 1, fallbackEngine: 'apertium' });
    // The summary, then 4 lines ×2, half [1,2] once, half [3,4] ×2, [3] ×2, [4] once.
    expect(report.requests).toBe(9);
  });

  it('fails with TRANSLATION_FAILED naming the line when no other engine can take it', async () => {
    await server.setScript({ poison: 'never give up' });
    const error = (await translate(engine({ fallback: async () => undefined })).catch((e: unknown) => e)) as AppError;
    expect(error.code).toBe('TRANSLATION_FAILED');
    expect(error.message).toContain('We never give up.');
  });

  it('gives up with TRANSLATION_FAILED when the model never once follows the format', async () => {
    await server.setScript({ fallback: { kind: 'invalid' } });
    const many = Array.from({ length: 8 }, (_, i) => ({ start: i, end: i + 1, text: `Line number ${i}.` }));
    const error = (await engine().translate({ segments: many, from: 'en', to: 'es' }).catch((e: unknown) => e)) as AppError;
    expect(error).toMatchObject({ code: 'TRANSLATION_FAILED', message: expect.stringContaining('no usable reply in 16 tries (the last: the reply is not JSON)') });
    const sent = (await server.requests()).length;
    expect(sent).toBeLessThanOrEqual(17);
    // The rest of the work was called off: nothing more arrives.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await server.requests()).toHaveLength(sent);
  });

  it('answers a re-run from the cache without a request; another style is another entry', async () => {
    await server.setScript({});
    await translate(engine());
    await server.setScript({ prefix: '[changed] ' });
    const again = await translate(engine());
    expect(again.texts).toEqual(echoed);
    expect(again.report).toMatchObject({ linesCached: 4, linesTranslated: 0, requests: 0 });
    expect(await server.requests()).toHaveLength(0);
    const formal = await translate(engine(), { llm: { style: 'formal' } });
    expect(formal.texts[0]).toBe(`[changed] ${sentences[0]}`);
    expect(await server.requests()).toHaveLength(1);
    // The summary is the transcript's, whatever the style: it came from the cache.
    expect(await server.requests('summary')).toHaveLength(0);
    expect(formal.report.summarySource).toBe('cache');
  });

  it('summarises the transcript in one request, shared by every chunk, target language and re-run', async () => {
    const summary = { summary: 'President Kennedy on going to the moon.', terms: ['moon', 'Kennedy'] };
    await server.setScript({ summary: { kind: 'content', content: JSON.stringify(summary) } });
    const llm = engine({ chunkLimits: { maxLines: 2 } });
    const spanish = await translate(llm);
    const french = await translate(llm, { to: 'fr' });
    expect(french.texts).toEqual(echoed);
    const summaries = await server.requests('summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.body.messages[1]!.content).toBe(`Transcript (English):\n${sentences.join(' ')}`);
    const chunks = await server.requests();
    expect(chunks).toHaveLength(4); // two chunks per language
    for (const request of chunks) {
      expect(request.body.messages[1]!.content).toContain(`About the video: ${summary.summary}\nKey terms (translate each the same way every time): moon; Kennedy`);
    }
    expect([spanish.report.summarySource, french.report.summarySource]).toEqual(['model', 'cache']);

    // Two languages at once in one process: still one summary request.
    cache = memoryTranslationCache();
    await server.setScript({ summary: { kind: 'content', content: JSON.stringify(summary) } });
    const both = engine();
    await Promise.all([translate(both, { to: 'de' }), translate(both, { to: 'it' })]);
    expect(await server.requests('summary')).toHaveLength(1);
  });

  it.each([
    ['is refused', { kind: 'status', status: 400 } as const, 'HTTP 400: scripted 400'],
    ['is not JSON', { kind: 'invalid' } as const, 'the summary reply is not JSON'],
  ])('when the summary request %s, the chunks carry the opening lines and the report says why', async (_name, step, problem) => {
    await server.setScript({ summary: step });
    const { texts, report } = await translate(engine());
    expect(texts).toEqual(echoed);
    const [chunk] = await server.requests();
    expect(chunk!.body.messages[1]!.content).toContain('About the video (its opening lines): Good evening, everyone. We choose to go to the moon.');
    expect(report).toMatchObject({ summarySource: 'opening', summaryProblem: expect.stringContaining(problem) });
  });
});

describe('retryAfterMs', () => {
  it('reads seconds, HTTP dates and retry-after-ms', () => {
    expect(retryAfterMs(new Headers({ 'retry-after': '2' }))).toBe(2000);
    expect(retryAfterMs(new Headers({ 'retry-after-ms': '150', 'retry-after': '2' }))).toBe(150);
    expect(retryAfterMs(new Headers({ 'retry-after': new Date(10_000).toUTCString() }), 7000)).toBe(3000);
    expect(retryAfterMs(new Headers({ 'retry-after': 'soon' }))).toBeUndefined();
    expect(retryAfterMs(undefined)).toBeUndefined();
  });
});
