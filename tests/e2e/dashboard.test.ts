import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium, type Browser, type Page } from 'playwright-core';
import { makeVideoWithSilentAudio } from '../support/media';
import { pickLanguages } from '../support/dashboard-browser';
import { repoRoot, sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';

/**
 * The dashboard in a real browser (Debian's headless Chromium) against the real stack: upload
 * through the UI (resumable chunks, one dropped on purpose), live Socket.IO progress, the video
 * with its subtitle tracks, editing + validation, re-mux, and the edited SRT coming back.
 */

const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const webDist = path.join(repoRoot, 'apps/web/dist');
const artifacts = path.join(repoRoot, 'test-artifacts');
const marker = `EDITADO-${Date.now() % 100_000}`;

// The test file is type-checked without DOM types, so page-side values get small local shapes.
type TextTrackLike = { language: string; mode: string; cues: { length: number } | null };
type VideoLike = { muted: boolean; currentTime: number; play(): Promise<void>; textTracks: ArrayLike<TextTrackLike> };

const byTestId = (id: string) => `[data-testid="${id}"]`;

/**
 * Polls a read from the test side. (page.waitForFunction with a string predicate would need
 * eval in the page, which the API's Content-Security-Policy rightly forbids.)
 */
async function until<T>(what: string, read: () => Promise<T>, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
    value = await read();
  }
  return value;
}

describe('dashboard (Chromium) → API → worker, on SQLite', () => {
  let stack: Stack;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];
  const consoleErrors: string[] = [];
  const requests: { method: string; url: string }[] = [];
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-dashboard-'));

  beforeAll(async () => {
    if (!fs.existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: apt-get install chromium`);
    // The API serves apps/web/dist only if it exists when the app is created, so build first.
    if (!fs.existsSync(path.join(webDist, 'index.html'))) {
      execFileSync('pnpm', ['--filter', '@babelfish/web', 'build'], { cwd: repoRoot, stdio: 'inherit', timeout: 120_000 });
    }
    stack = await startStack({ database: 'sqlite' });
    // launch() always starts from a fresh temporary profile (user-data dir) of its own.
    browser = await chromium.launch({
      executablePath: chromiumPath,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(String(error)));
    page.on('console', (message) => {
      if (message.type() === 'error') consoleErrors.push(message.text());
    });
    page.on('request', (request) => requests.push({ method: request.method(), url: request.url() }));
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('uploads, follows live progress, plays, edits, re-muxes and deletes a job', async () => {
    const base = `${stack.api.url}/`;
    await page.goto(base);
    // ── Log in with an API key (→ HttpOnly session cookie for REST, media and Socket.IO) ────────
    await page.fill(byTestId('api-key'), 'bf_wrong.key');
    await page.click(byTestId('login-submit'));
    await until('the bad key to be refused', () => page.textContent(byTestId('login-status')), (text) => /not valid/.test(text ?? ''));
    await page.fill(byTestId('api-key'), stack.apiKey);
    await page.click(byTestId('login-submit'));
    await page.waitForSelector(byTestId('upload-form'));
    expect(await page.textContent(byTestId('session-owner'))).toMatch(/tester/);
    // Small chunks so the 107 KB sample exercises the resumable protocol over several PATCHes.
    await page.evaluate(`localStorage.setItem('babelfish.uploadChunkBytes', '${32 * 1024}')`);
    let patches = 0;
    await page.route('**/v1/uploads/*', async (route) => {
      if (route.request().method() === 'PATCH' && ++patches === 2) return route.abort('connectionreset'); // a dropped connection
      return route.continue();
    });
    await page.reload();

    // ── Upload through the form ────────────────────────────────────────────────────────────────
    await page.waitForSelector(byTestId('upload-form'));
    // ── Language pickers: type a name or any code form, pick with the keyboard ──────────────────
    const sourceSearch = page.locator(byTestId('source-language-search'));
    await sourceSearch.fill('english');
    await sourceSearch.press('Enter');
    await page.locator(byTestId('source-language-chip-en')).waitFor();
    const targetSearch = page.locator(byTestId('target-search'));
    const options = page.locator(`${byTestId('target-list')} [role="option"]`);
    await targetSearch.fill('ger'); // ISO 639-2/B
    expect(await options.first().getAttribute('data-code')).toBe('de');
    expect(await options.count()).toBeLessThan(10); // filtered from 205
    // Offline only Apertium reaches from English here (into Spanish): German is marked and cannot be picked.
    expect(await options.first().getAttribute('aria-disabled')).toBe('true');
    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'dashboard-language-picker.png') });
    await targetSearch.press('Enter');
    expect(await page.locator(byTestId('target-chip-de')).count()).toBe(0);
    await targetSearch.fill('Españ'); // the native name
    expect(await options.first().getAttribute('data-code')).toBe('es');
    await targetSearch.fill('spa');
    await targetSearch.press('ArrowDown');
    await targetSearch.press('ArrowUp');
    expect(await targetSearch.getAttribute('aria-activedescendant')).toBe(await options.first().getAttribute('id'));
    await targetSearch.press('Enter');
    await page.locator(byTestId('target-chip-es')).waitFor();
    expect(await page.getAttribute(byTestId('target-option-es'), 'aria-selected')).toBe('true');
    await targetSearch.press('Backspace'); // in the empty box: takes the last choice back
    expect(await page.locator(byTestId('target-chip-es')).count()).toBe(0);
    await targetSearch.fill('es');
    await targetSearch.press('Enter');
    await page.locator(byTestId('target-chip-es')).waitFor();
    await targetSearch.press('Escape');
    expect(await targetSearch.getAttribute('aria-expanded')).toBe('false');
    await page.setInputFiles(byTestId('file-input'), sample('jfk.mp4'));
    await page.click(byTestId('upload-submit'));
    const uploadProgress = page.locator(byTestId('upload-progress'));
    await until('the upload bar at 100', () => uploadProgress.evaluate((bar: { value: number }) => bar.value), (value) => value === 100, 30_000);
    await until('"queued" in the upload status', () => page.textContent(byTestId('upload-status')), (text) => /queued/.test(text ?? ''), 30_000);
    const chunks = Math.ceil(fs.statSync(sample('jfk.mp4')).size / (32 * 1024));
    expect(patches).toBe(chunks + 1); // every chunk once, plus the one that was dropped and resumed
    await page.unroute('**/v1/uploads/*');

    const item = page.locator(byTestId('job-item'), { hasText: 'jfk.mp4' }).first();
    await item.waitFor();
    const jobId = (await item.getAttribute('data-job-id'))!;
    expect(jobId).toMatch(/^[0-9a-f-]{36}$/);
    expect(await item.textContent()).toMatch(/English → Spanish/);
    const thumbnail = item.locator('img.thumb');
    await until('the thumbnail to load', () => thumbnail.evaluate((img: { naturalWidth: number }) => img.naturalWidth), (width) => width > 0);

    fs.mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: path.join(artifacts, 'dashboard-home.png'), fullPage: true });

    // ── Job page: progress comes over Socket.IO, not by polling ─────────────────────────────────
    await item.locator(byTestId('job-link')).click();
    await page.waitForURL(`**/#/jobs/${jobId}`);
    await page.waitForSelector(`${byTestId('progress-panel')}[data-status]`);
    const statusNow = await page.getAttribute(byTestId('progress-panel'), 'data-status');
    if (statusNow === 'queued' || statusNow === 'processing') {
      await page.reload(); // a reload mid-job picks the progress up from the subscribe ack
      await page.waitForSelector(`${byTestId('progress-panel')}[data-status]`);
    }
    await page.waitForSelector(`${byTestId('progress-panel')}[data-status="completed"]`, { timeout: 150_000 });
    expect(await page.getAttribute(byTestId('progress-overall'), 'value')).toBe('100');
    expect(await page.getAttribute(byTestId('progress-translate-es'), 'value')).toBe('100');
    const jobGets = requests.filter((r) => r.method === 'GET' && new URL(r.url).pathname === `/v1/jobs/${jobId}`).length;
    expect(jobGets).toBeLessThanOrEqual(4); // page loads + one fetch per final event: no polling loop

    // ── Video with a Spanish subtitle track that loads and plays ────────────────────────────────
    const video = page.locator(byTestId('video'));
    await page.waitForSelector(`${byTestId('video')} track[srclang="es"]`, { state: 'attached' });
    await video.evaluate(async (element: VideoLike) => {
      element.muted = true;
      await element.play();
    });
    await until('the video to play past 0.5 s', () => video.evaluate((element: VideoLike) => element.currentTime), (time) => time > 0.5, 20_000);
    await video.evaluate((element: VideoLike) => {
      for (const track of Array.from(element.textTracks)) track.mode = track.language === 'es' ? 'showing' : 'disabled';
    });
    const spanishCues = () => video.evaluate((element: VideoLike) => Array.from(element.textTracks).find((track) => track.language === 'es')?.cues?.length ?? 0);
    await until('the Spanish track to load its cues', spanishCues, (count) => count > 0, 15_000);
    expect(await page.locator(`${byTestId('translation-segments')} li`).count()).toBeGreaterThan(0);

    // ── Client-side validation: end before start is refused before anything is sent ────────────
    await page.waitForSelector(`${byTestId('subtitle-editor')}:not([hidden])`);
    expect(await page.inputValue(byTestId('editor-track'))).toBe('es');
    expect(await page.textContent(byTestId('editor-version'))).toBe('version 1');
    const firstCue = page.locator(byTestId('cue-row')).first();
    const end = firstCue.locator(byTestId('cue-end'));
    const originalEnd = await end.inputValue();
    await end.fill('00:00:00.000');
    const putsBefore = requests.filter((r) => r.method === 'PUT').length;
    await page.click(byTestId('save-subtitles'));
    await firstCue.locator(`${byTestId('cue-error')}:not([hidden])`).waitFor();
    expect(await firstCue.locator(byTestId('cue-error')).textContent()).toMatch(/end must be after start/);
    expect(await end.getAttribute('aria-invalid')).toBe('true');
    expect(await page.textContent(byTestId('editor-status'))).toMatch(/Not saved/);
    expect(requests.filter((r) => r.method === 'PUT').length).toBe(putsBefore);

    // ── Edit the first Spanish cue, save version 2, re-mux ──────────────────────────────────────
    await end.fill(originalEnd);
    const text = firstCue.locator(byTestId('cue-text'));
    await text.fill(`${marker} ${await text.inputValue()}`);
    await page.click(byTestId('save-subtitles'));
    await until('version 2', () => page.textContent(byTestId('editor-version')), (text) => text === 'version 2');
    expect(await end.getAttribute('aria-invalid')).not.toBe('true');
    expect(await firstCue.locator(byTestId('cue-text')).inputValue()).toContain(marker);
    expect(await page.getAttribute(`${byTestId('video')} track[srclang="es"]`, 'src')).toMatch(/[?&]v=2\b/);
    // The reloaded tracks keep the viewer's choice: Spanish alone is showing, with the edit in it.
    const showing = () =>
      video.evaluate((element: VideoLike) => Array.from(element.textTracks).filter((track) => track.mode === 'showing').map((track) => track.language));
    await until('only Spanish showing', showing, (languages) => languages.join() === 'es');
    await until('the edited Spanish cues to load', spanishCues, (count) => count > 0);

    await page.click(byTestId('remux'));
    await until('the re-mux to finish', () => page.textContent(byTestId('editor-status')), (text) => /Outputs updated/.test(text ?? ''), 90_000);
    expect(await page.getAttribute(byTestId('progress-panel'), 'data-status')).toBe('completed');

    const srtLink = page.locator(`${byTestId('download-link')}[data-kind="srt"][data-language="es"]`);
    let srt = '';
    for (let attempt = 0; attempt < 20 && !srt.includes(marker); attempt += 1) {
      if (attempt > 0) await page.waitForTimeout(250); // the list refreshes right after 'completed'
      const href = await srtLink.getAttribute('href');
      const response = await page.request.get(new URL(href!, base).href);
      srt = response.ok() ? await response.text() : '';
    }
    expect(srt).toContain(marker);

    // ── Screenshots (desktop and phone width) and no horizontal scrolling on a phone ────────────
    await page.screenshot({ path: path.join(artifacts, 'dashboard-job.png'), fullPage: true });
    await page.setViewportSize({ width: 375, height: 800 });
    expect(await page.locator('html').evaluate((root: { scrollWidth: number }) => root.scrollWidth)).toBeLessThanOrEqual(375);
    await page.screenshot({ path: path.join(artifacts, 'dashboard-job-phone.png'), fullPage: true });
    await page.setViewportSize({ width: 1280, height: 900 });

    // ── Delete (confirm dialog) → back to the list, job gone ───────────────────────────────────
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click(byTestId('delete-job'));
    await page.waitForURL((url) => url.hash === '#/' || url.hash === '');
    await page.waitForSelector(`${byTestId('job-list')}[aria-busy="false"]`);
    expect(await page.locator(`${byTestId('job-item')}[data-job-id="${jobId}"]`).count()).toBe(0);
    expect((await page.request.get(`${stack.api.url}/v1/jobs/${jobId}`)).status()).toBe(404);

    expect(pageErrors).toEqual([]);
    // Expected: the wrong key's 401, the dropped chunk, and the deleted job's 404.
    expect(consoleErrors.filter((message) => !/Failed to load resource.*(401|404|ERR_CONNECTION_RESET)/.test(message))).toEqual([]);
  });

  it('translates a WebVTT uploaded alone: the list shows its format, the job page its cues and no player', async () => {
    const vtt = path.join(scratch, 'talk.vtt');
    fs.writeFileSync(vtt, 'WEBVTT\n\n00:00:01.000 --> 00:00:03.000\nMy friend eats a red apple.\n');
    await page.goto(`${stack.api.url}/`); // still logged in from the first test
    await page.waitForSelector(byTestId('upload-form'));
    await pickLanguages(page, { from: { search: 'english', code: 'en' }, to: 'es' });
    await page.setInputFiles(byTestId('file-input'), vtt);
    await page.click(byTestId('upload-submit'));
    await until('"queued" in the upload status', () => page.textContent(byTestId('upload-status')), (text) => /queued/.test(text ?? ''), 30_000);

    const item = page.locator(byTestId('job-item'), { hasText: 'talk.vtt' }).first();
    await item.waitFor();
    expect(await item.locator(byTestId('thumb-subtitles')).textContent()).toBe('VTT');
    const jobId = (await item.getAttribute('data-job-id'))!;
    await item.locator(byTestId('job-link')).click();
    await page.waitForSelector(`${byTestId('progress-panel')}[data-status="completed"]`, { timeout: 60_000 });
    await until('the Spanish cues', () => page.textContent(byTestId('translation-segments')), (text) => /manzana/.test(text ?? ''));
    expect(await page.locator(byTestId('video')).isVisible()).toBe(false);
    expect(requests.filter((request) => request.url.includes(`/v1/jobs/${jobId}/video`) || request.url.includes(`/v1/jobs/${jobId}/thumbnail`))).toEqual([]);
    const kinds = await until('the downloads', () => page.locator(byTestId('download-link')).evaluateAll((links: { dataset: { kind?: string } }[]) => links.map((link) => link.dataset.kind).sort()), (list) => list.length > 0);
    expect([...new Set(kinds)]).toEqual(['ass', 'srt', 'vtt']);
    expect(pageErrors).toEqual([]);
  });

  it('shows a failed job\'s reason with Retry, filters the list by status, and logs out', async () => {
    const quiet = path.join(scratch, 'quiet.mp4');
    makeVideoWithSilentAudio(quiet);
    const submitted = await stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', quiet);
    expect(submitted.status).toBe(202);
    const jobId: string = submitted.body.job.id;

    await page.goto(`${stack.api.url}/#/jobs/${jobId}`); // still logged in from the first test
    await page.waitForSelector(`${byTestId('failure-panel')}:not([hidden])`, { timeout: 90_000 });
    expect(await page.textContent(byTestId('job-error'))).toMatch(/No speech was found/);
    expect(await page.getAttribute(byTestId('progress-panel'), 'data-status')).toBe('failed');

    // Retry restarts it (it fails again: there is still no speech), live over the same socket.
    const retries = () => requests.filter((r) => r.method === 'POST' && r.url.endsWith(`/v1/jobs/${jobId}/retry`)).length;
    await page.click(byTestId('retry-job'));
    await until('the retry request', async () => retries(), (count) => count === 1);
    await page.waitForSelector(`${byTestId('failure-panel')}[hidden]`, { state: 'attached', timeout: 30_000 });
    await page.waitForSelector(`${byTestId('failure-panel')}:not([hidden])`, { timeout: 90_000 });

    await page.click('a[href="#/"]');
    await page.selectOption(byTestId('status-filter'), 'failed');
    await until('only failed jobs listed', () => page.locator(byTestId('job-item')).evaluateAll((items: { dataset: { status?: string; jobId?: string } }[]) => items.map((item) => `${item.dataset.jobId}:${item.dataset.status}`)), (rows) => rows.join() === `${jobId}:failed`);

    // ── Log out → the log-in form, and the API no longer answers this browser ───────────────────
    await page.click(byTestId('logout'));
    await page.waitForSelector(byTestId('login-form'));
    expect((await page.request.get(`${stack.api.url}/v1/jobs`)).status()).toBe(401);
    expect(pageErrors).toEqual([]);
  });
});
