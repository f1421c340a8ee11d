import type { Page } from 'playwright-core';
import { byTestId, ensureWebBuild, logIn, openDashboardBrowser, pickLanguages, submitUploadForm } from '../support/dashboard-browser';
import { startChatServer, type ChatServerProcess } from '../../packages/ml/src/testing/chat-server-process';
import { sample } from '../support/paths';
import { watchJob } from '../support/socket';
import { startStack, type Stack } from '../support/stack';

/**
 * The dashboard's llm and bilingual fields in a real browser (Debian's headless Chromium): the
 * form offers engine llm with its model and style fields and the bilingual checkbox, the job
 * they make uses them (the scripted chat server sees the model and style), and the job page
 * shows the engine used for each language, the tokens, and the bilingual download.
 */

describe('dashboard: engine llm with model and style, bilingual output (Chromium, SQLite)', () => {
  let chat: ChatServerProcess;
  let stack: Stack;
  let page: Page;
  let pageErrors: string[] = [];
  let closeBrowser: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    ensureWebBuild();
    chat = await startChatServer({ prefix: '[dash-es] ' });
    stack = await startStack({ database: 'sqlite', env: { LLM_BASE_URL: chat.baseUrl, LLM_MODEL: 'server-default-model' } });
    ({ page, pageErrors, close: closeBrowser } = await openDashboardBrowser());
  });
  afterAll(async () => {
    await closeBrowser?.();
    await stack?.stop();
    await chat?.stop();
  });

  it('submits engine llm with a model, a style and bilingual, and the job page shows the engine used and the tokens', async () => {
    await logIn(page, stack.api.url, stack.apiKey);

    // The model and style fields belong to the llm engine: hidden until it is chosen.
    expect(await page.isVisible(byTestId('llm-fields'))).toBe(false);
    await page.selectOption(byTestId('engine'), 'llm');
    await page.waitForSelector(byTestId('llm-fields'), { state: 'visible' });
    await page.fill(byTestId('llm-model'), 'dash-model');
    await page.fill(byTestId('llm-style'), 'friendly');
    await page.check(byTestId('bilingual'));
    await pickLanguages(page, { from: { search: 'english', code: 'en' }, to: 'es' });
    await page.setInputFiles(byTestId('file-input'), sample('jfk.mp4'));
    const { item, jobId } = await submitUploadForm(page, 'jfk.mp4');
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    const last = await watch.finished;
    watch.close();
    const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
    expect({ status: last.status, error: job.error }).toEqual({ status: 'completed', error: null });
    await item.locator(byTestId('job-link')).click();
    await page.waitForSelector(`${byTestId('progress-panel')}[data-status="completed"]`, { timeout: 30_000 });

    expect(job).toMatchObject({ engine: 'llm', options: { llmModel: 'dash-model', style: 'friendly', bilingual: true } });
    const requests = await chat.requests('all');
    expect(requests.every((request) => request.body.model === 'dash-model')).toBe(true);
    expect((await chat.requests())[0]!.body.messages[1]!.content).toContain('Style: friendly');
    expect(job.usage.totalTokens).toBe(120 * requests.length);

    await page.waitForSelector(byTestId('job-translated-by'));
    expect(await page.textContent(byTestId('job-engine'))).toBe('llm');
    expect(await page.textContent(byTestId('job-translated-by'))).toBe(`Spanish: llm (dash-model), ${job.usage.totalTokens} tokens`);
    expect(await page.textContent(byTestId('job-tokens'))).toBe(`${job.usage.totalTokens} (${job.usage.promptTokens} prompt + ${job.usage.completionTokens} completion)`);
    const bilingualLink = page.locator(`${byTestId('download-link')}[data-kind="bilingual-srt"]`);
    await bilingualLink.waitFor();
    expect(await bilingualLink.textContent()).toBe('jfk.en-es.srt');
    expect(pageErrors).toEqual([]);
    process.stdout.write(`dashboard llm: ${await page.textContent(byTestId('job-translated-by'))}\n`);
  });
});
