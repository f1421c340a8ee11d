import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Page } from 'playwright-core';
import { byTestId, ensureWebBuild, logIn, openDashboardBrowser, pickLanguages } from '../support/dashboard-browser';
import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';

/**
 * The dashboard's Cancel button in a real browser (Debian's headless Chromium) on the real stack:
 * on the page of a job the worker is transcribing, Cancel stops it (the worker logs the step
 * canceled), the page shows it canceled with the Retry panel, and says so again after a reload.
 */

describe('dashboard: canceling a running job (Chromium, SQLite)', () => {
  let stack: Stack;
  let page: Page;
  let pageErrors: string[] = [];
  let closeBrowser: (() => Promise<void>) | undefined;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-dashboard-cancel-'));

  beforeAll(async () => {
    ensureWebBuild();
    stack = await startStack({ database: 'sqlite', env: { WORKER_CONCURRENCY: '1' } });
    ({ page, pageErrors, close: closeBrowser } = await openDashboardBrowser());
  });
  afterAll(async () => {
    await closeBrowser?.();
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('Cancel on the job page stops the running job and the page shows it canceled', async () => {
    // Two minutes of speech: still transcribing when Cancel is clicked.
    const long = path.join(scratch, 'long.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '11', '-i', sample('jfk.wav'), '-c:a', 'aac', '-y', long]);
    const submitted = await stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', long);
    expect(submitted.status).toBe(202);
    const jobId: string = submitted.body.job.id;

    await logIn(page, stack.api.url, stack.apiKey);
    await page.goto(`${stack.api.url}/#/jobs/${jobId}`);
    // Live progress says the worker is on it; the Cancel button is offered while it runs.
    await page.waitForSelector(`${byTestId('progress-panel')}[data-status="processing"]`, { timeout: 90_000 });
    expect(await page.isVisible(`${byTestId('failure-panel')}`)).toBe(false);
    await page.click(byTestId('cancel-job'));

    await page.waitForSelector(`${byTestId('failure-panel')}:not([hidden])`, { timeout: 30_000 });
    expect(await page.textContent(`${byTestId('failure-panel')} h2`)).toBe('This job was canceled');
    expect(await page.textContent(byTestId('job-error'))).toBe('Canceled by its owner');
    await page.waitForSelector(`${byTestId('progress-panel')}[data-status="canceled"]`, { timeout: 10_000 });
    expect(await page.isVisible(byTestId('cancel-job'))).toBe(false);

    // The worker really stopped it (Whisper aborted), and the server keeps it canceled.
    const deadline = Date.now() + 30_000;
    const stopped = () => stack.worker!.output().split('\n').some((line) => line.includes('"message":"stage canceled"') && line.includes(jobId));
    while (!stopped() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(stopped()).toBe(true);
    expect((await stack.http().get(`/v1/jobs/${jobId}`)).body.job.status).toBe('canceled');

    await page.reload();
    await page.waitForSelector(`${byTestId('failure-panel')}:not([hidden])`, { timeout: 30_000 });
    expect(await page.textContent(`${byTestId('failure-panel')} h2`)).toBe('This job was canceled');
    expect(await page.getAttribute(byTestId('progress-panel'), 'data-status')).toBe('canceled');
    expect(pageErrors).toEqual([]);
  });
});
