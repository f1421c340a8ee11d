import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { QualityReport } from '@babelfish/core';
import { DEFAULT_SUMMARY, startChatServer, type ChatServerProcess } from '../../packages/ml/src/testing/chat-server-process';
import { modelsDir, repoRoot, sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';
import { watchJob } from '../support/socket';

/**
 * The llm engine through the real stack: API, a worker process and, as the "model", the
 * scripted chat completions server in a third process. The Spanish subtitles must carry the
 * server's text, the glossary must survive the round trip, one summary request must feed every
 * chunk's prompt, the job (its view and quality report) must show the engine used and what it
 * spent, a second job on the same video must be answered from the cache (summary included),
 * and a sentence the model never gets right must come from Apertium and be counted.
 */
describe('engine=llm on the real stack (jfk.mp4, en → es, scripted chat server)', () => {
  let chat: ChatServerProcess;
  let stack: Stack;
  type OutputView = { kind: string; language: string | null; url: string };
  const outputsOf = async (jobId: string): Promise<{ outputs: OutputView[]; quality: QualityReport }> => (await stack.http().get(`/v1/jobs/${jobId}/outputs`)).body;

  const submit = async (style = 'formal') => {
    const response = await stack
      .http()
      .post('/v1/jobs')
      .field('to', 'es')
      .field('from', 'en')
      .field('engine', 'llm')
      .field('style', style)
      .field('glossary', JSON.stringify({ terms: { country: 'nación' } }))
      .attach('file', sample('jfk.mp4'));
    expect(response.status).toBe(202);
    const jobId: string = response.body.job.id;
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    const last = await watch.finished;
    watch.close();
    expect(last).toMatchObject({ status: 'completed' });
    return jobId;
  };

  beforeAll(async () => {
    chat = await startChatServer({ prefix: '[llm-es] ' });
    stack = await startStack({ database: 'sqlite', env: { LLM_BASE_URL: chat.baseUrl, LLM_MODEL: 'e2e-model', LLM_API_KEY: 'e2e-key', LLM_TIMEOUT_MS: '10000' } });
  });
  afterAll(async () => {
    await stack?.stop();
    await chat?.stop();
  });

  it('writes the model’s Spanish subtitles, with the glossary term and a report of the tokens; a re-run costs no request', async () => {
    const jobId = await submit();
    const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
    expect(job).toMatchObject({ engine: 'llm', options: { style: 'formal' } });

    const requests = await chat.requests();
    expect(requests.length).toBeGreaterThanOrEqual(1);
    expect(requests[0]!.body.model).toBe('e2e-model');
    // One summary request for the transcript, before the chunks, whose reply is in every chunk's prompt.
    const summaries = await chat.requests('summary');
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.body.messages[1]!.content.toLowerCase()).toMatch(/ask not what your (country|zxq0) can do for you/); // glossary terms arrive as placeholders
    for (const request of requests) expect(request.body.messages[1]!.content).toContain(`About the video: ${DEFAULT_SUMMARY.summary}`);
    const prompt = requests[0]!.body.messages[1]!.content;
    expect(prompt).toContain('Style: formal');
    expect(prompt).toContain('- country → nación');
    expect(prompt.toLowerCase()).toContain('ask not what your');

    const { outputs, quality } = await outputsOf(jobId);
    const srt = outputs.find((output) => output.kind === 'srt' && output.language === 'es')!;
    const text = (await stack.http().get(srt.url)).text;
    expect(text).toContain('[llm-es]');
    // The echo carried the glossary placeholder through; the service put the term back.
    expect(text).toContain('nación');
    expect(text).not.toMatch(/ZXQ/);
    // The scripted server counts 100 prompt + 20 completion tokens per request, the summary's included.
    const sent = requests.length + summaries.length;
    expect(quality.translations).toEqual([
      expect.objectContaining({ language: 'es', engine: 'llm', model: 'e2e-model', fallbackLines: 0, linesCached: 0, promptTokens: 100 * sent }),
    ]);
    const view = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
    expect(view.translations).toEqual([{ language: 'es', engine: 'llm', model: 'e2e-model', fallbackLines: 0, promptTokens: 100 * sent, completionTokens: 20 * sent }]);
    expect(view.usage).toEqual({ promptTokens: 100 * sent, completionTokens: 20 * sent, totalTokens: 120 * sent });
    process.stdout.write(`llm e2e: ${requests.length} chunk request(s) + ${summaries.length} summary request; job usage ${JSON.stringify(view.usage)}\n`);

    // The same video again (transcript reused), same glossary and style: every line from the cache.
    await chat.setScript({ prefix: '[not-used] ' });
    const again = await submit();
    expect(await chat.requests('all')).toHaveLength(0);
    expect((await stack.http().get(`/v1/jobs/${again}`)).body.job).toMatchObject({ translations: [expect.objectContaining({ engine: 'llm', promptTokens: 0 })], usage: { totalTokens: 0 } });
    const second = await outputsOf(again);
    expect(second.quality.translations?.[0]).toMatchObject({ linesCached: quality.translations?.[0]?.linesTranslated, linesTranslated: 0, promptTokens: 0 });
    const secondSrt = second.outputs.find((output) => output.kind === 'srt' && output.language === 'es')!;
    expect((await stack.http().get(secondSrt.url)).text).toContain('[llm-es]');
  });

  it('a sentence the model never answers well is translated by Apertium, and the quality report counts it', async () => {
    // Another style: another cache entry, so the model is asked again (and fails every time).
    await chat.setScript({ poison: 'ask not' });
    const jobId = await submit('for children');
    expect((await chat.requests()).length).toBeGreaterThanOrEqual(2);
    const { outputs, quality } = await outputsOf(jobId);
    expect(quality.translations?.[0]).toMatchObject({ engine: 'llm', fallbackLines: 1, fallbackEngine: 'apertium' });
    expect(quality.warnings).toContain('es: 1 line(s) translated by apertium because llm never answered them well');
    const srt = outputs.find((output) => output.kind === 'srt' && output.language === 'es')!;
    const text = (await stack.http().get(srt.url)).text;
    expect(text).not.toContain('[llm-es]');
    expect(text).toContain('nación'); // the glossary still holds on the fallback's text
  });

  it('the CLI takes --engine llm with --llm-model and --style, and writes the model’s subtitles', async () => {
    await chat.setScript({ prefix: '[cli-es] ' });
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-llm-cli-'));
    try {
      const out = path.join(dataDir, 'out');
      const stdout = execFileSync(
        path.join(repoRoot, 'node_modules/.bin/tsx'),
        ['--conditions=development', 'apps/cli/src/main.ts', 'translate', sample('jfk.mp4'), '--to', 'es', '--from', 'en', '--engine', 'llm', '--llm-model', 'cli-model', '--style', 'for children', '--out', out],
        {
          cwd: repoRoot,
          env: { ...process.env, DATA_DIR: dataDir, MODELS_DIR: modelsDir, ALLOW_REMOTE_MODELS: 'false', LLM_BASE_URL: chat.baseUrl, LLM_MODEL: 'e2e-model', LLM_API_KEY: 'k', LOG_LEVEL: 'warn' },
          stdio: ['ignore', 'pipe', 'pipe'],
          encoding: 'utf8',
        },
      );
      const requests = await chat.requests();
      const sent = (await chat.requests('all')).length;
      // It says which engine translated each language and what that cost.
      expect(stdout).toContain(`Translated by:\n  es: llm (cli-model), ${100 * sent} prompt + ${20 * sent} completion tokens\n`);
      expect(stdout).toContain(`tokens in all: ${100 * sent} prompt + ${20 * sent} completion = ${120 * sent}`);
      expect(requests.length).toBeGreaterThanOrEqual(1);
      expect(requests.every((request) => request.body.model === 'cli-model')).toBe(true);
      expect(requests[0]!.body.messages[1]!.content).toContain('Style: for children');
      expect(fs.readFileSync(path.join(out, 'jfk.es.srt'), 'utf8')).toContain('[cli-es]');
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
