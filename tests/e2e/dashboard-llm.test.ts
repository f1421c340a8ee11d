import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startChatServer, type ChatServerProcess } from '../../packages/ml/src/testing/chat-server-process';
import { repoRoot, sample } from '../support/paths';
import { watchJob } from '../support/socket';
import { startStack, type Stack } from '../support/stack';

/**
 * The dashboard's llm and bilingual fields in a real browser (Debian's headless Chromium): the
 * form offers engine llm with its model and style fields and the bilingual checkbox, the job
 * they make uses them (the scripted chat server sees the model and style), and the job page
 * shows the engine used for each language, the tokens, and the bilingual download.
 */
const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const byTestId = (id: string) => `[data-testid="${id}"]`;

describe('dashboard: engine llm with model and style, bilingual output (Chromium, SQLite)', () => {
  let chat: ChatServerProcess;
  let stack: Stack;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    if (!fs.existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: apt-get install chromium`);
    if (!fs.existsSync(path.join(repoRoot, 'apps/web/dist/index.html'))) {
      execFileSync('pnpm', ['--filter', '@babelfish/web', 'build'], { cwd: repoRoot, stdio: 'inherit', timeout: 120_000 });
    }
    chat = await startChatServer({ prefix: '[dash-es] ' });
    stack = await startStack({ database: 'sqlite', env: { LLM_BASE_URL: chat.baseUrl, LLM_MODEL: 'server-default-model' } });
    browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  });
  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    await chat?.stop();
  });

  it('submits engine llm with a model, a style and bilingual, and the job page shows the engine used and the tokens', async () => {
    await page.goto(`${stack.api.url}/`);
    await page.fill(byTestId('api-key'), stack.apiKey);
    await page.click(byTestId('login-submit'));
    await page.waitForSelector(byTestId('upload-form'));

    // The model and style fields belong to the llm engine: hidden until it is chosen.
    expect(await page.isVisible(byTestId('llm-fields'))).toBe(false);
    await page.selectOption(byTestId('engine'), 'llm');
    await page.waitForSelector(byTestId('llm-fields'), { state: 'visible' });
    await page.fill(byTestId('llm-model'), 'dash-model');
    await page.fill(byTestId('llm-style'), 'friendly');
    await page.check(byTestId('bilingual'));
    // The searchable pickers: type, then Enter takes the first match.
    await page.locator(byTestId('source-language-search')).fill('english');
    await page.locator(byTestId('source-language-search')).press('Enter');
    await page.locator(byTestId('source-language-chip-en')).waitFor();
    await page.locator(byTestId('target-search')).fill('es');
    await page.locator(byTestId('target-search')).press('Enter');
    await page.locator(byTestId('target-chip-es')).waitFor();
    await page.locator(byTestId('target-search')).press('Escape'); // closes the list over the form
    await page.setInputFiles(byTestId('file-input'), sample('jfk.mp4'));
    await page.click(byTestId('upload-submit'));
    await page.waitForSelector(`${byTestId('upload-status')}:has-text("queued")`, { timeout: 30_000 });

    const item = page.locator(byTestId('job-item'), { hasText: 'jfk.mp4' }).first();
    await item.waitFor();
    const jobId = (await item.getAttribute('data-job-id'))!;
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
    process.stdout.write(`dashboard llm: ${await page.textContent(byTestId('job-translated-by'))}\n`);
  });
});
