import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { byTestId, ensureWebBuild, logIn, openDashboardBrowser, pickLanguages, submitUploadForm } from '../support/dashboard-browser';
import type { ProgressEvent, Segment } from '@babelfish/core';
import { parseSrt } from '@babelfish/media';
import { sample } from '../support/paths';
import { watchJob } from '../support/socket';
import { downloadTo, startStack, type Stack } from '../support/stack';

/**
 * The dashboard's subtitle file next to a video and its subtitle-rule fields, in a real browser
 * (Debian's headless Chromium) against the real stack: jfk.mp4 with an SRT of sentences JFK
 * never says, no engine chosen (best available), 16 characters a line. The job imports the
 * file's cues instead of transcribing, the lines keep to 16 characters, and the API and the job
 * page both name the engine that did the translating although the job asked for none.
 */

const MARKER_SRT = '1\n00:00:00,500 --> 00:00:03,000\nMy friend eats a red apple.\n\n2\n00:00:04,000 --> 00:00:07,500\nThe zebra walks to the house.\n';
const plain = (cues: readonly Segment[]) => cues.map((cue) => cue.text).join(' ').replace(/\s+/g, ' ').trim();

describe('dashboard: a subtitle file next to the video, subtitle rules, the engine of a best-available job (Chromium, SQLite)', () => {
  let stack: Stack;
  let page: Page;
  let pageErrors: string[] = [];
  let closeBrowser: (() => Promise<void>) | undefined;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-dashboard-import-'));

  beforeAll(async () => {
    ensureWebBuild();
    stack = await startStack({ database: 'sqlite', env: { APERTIUM_PAIRS: 'eng-spa fr-es' } });
    ({ page, pageErrors, close: closeBrowser } = await openDashboardBrowser());
  });
  afterAll(async () => {
    await closeBrowser?.();
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('uploads jfk.mp4 with an SRT and 16 characters a line: the cues come from the file, the lines keep to 16, and "Translated by" names apertium', async () => {
    const srtFile = path.join(scratch, 'mine.srt');
    fs.writeFileSync(srtFile, MARKER_SRT);

    await logIn(page, stack.api.url, stack.apiKey);
    // No engine chosen: the best available one.
    expect(await page.inputValue(byTestId('engine'))).toBe('');
    await pickLanguages(page, { from: { search: 'english', code: 'en' }, to: 'es' });
    await page.fill(byTestId('max-line-chars'), '16');
    await page.fill(byTestId('reading-speed'), '20');
    await page.setInputFiles(byTestId('file-input'), sample('jfk.mp4'));
    await page.setInputFiles(byTestId('subtitles-input'), srtFile);
    const { item, jobId } = await submitUploadForm(page, 'jfk.mp4');
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    if (!['completed', 'failed'].includes(watch.snapshot.job?.status ?? '')) await watch.finished;
    watch.close();

    // The API: what the form sent, and the engine that did it although none was asked for.
    const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
    expect({ status: job.status, error: job.error }).toEqual({ status: 'completed', error: null });
    expect(job.engine).toBeNull();
    expect(job.options).toMatchObject({ importedSubtitles: { format: 'srt', cues: 2 }, subtitleRules: { maxCharsPerLine: 16, maxCharsPerSecond: 20 } });
    expect(job.translations).toEqual([expect.objectContaining({ language: 'es', engine: 'apertium', fallbackLines: 0 })]);

    // Imported, not transcribed: the source track is the file's text, and no step transcribed.
    const tracks: { language: string; kind: string; origin: string; segments: Segment[] }[] = (await stack.http().get(`/v1/jobs/${jobId}/subtitles`)).body.tracks;
    const english = tracks.find((track) => track.language === 'en')!;
    expect(english).toMatchObject({ kind: 'source', origin: 'import' });
    expect(plain(english.segments)).toBe('My friend eats a red apple. The zebra walks to the house.');
    // (The import runs where the transcription would, in the transcribe stage, and says so.)
    const events = watch.events as ProgressEvent[];
    expect(events.filter((event) => /Transcrib/i.test(event.message ?? ''))).toEqual([]);
    // Events before the subscription are not seen, so: whatever was seen of that stage is the import's.
    const importSteps = ['Reading the subtitle file', 'Imported 2 cues from the SRT file'];
    expect(events.filter((event) => event.stage === 'transcribe' && event.message && !importSteps.includes(event.message))).toEqual([]);

    const outputs: { kind: string; language: string | null; url: string }[] = (await stack.http().get(`/v1/jobs/${jobId}/outputs`)).body.outputs;
    const spanish = parseSrt(fs.readFileSync(await downloadTo(stack, outputs.find((o) => o.kind === 'srt' && o.language === 'es')!.url, scratch, 'es.srt'), 'utf8'));
    expect(plain(spanish)).toMatch(/manzana/);
    expect(plain(spanish)).toMatch(/cebra/);
    const lines = spanish.flatMap((cue) => cue.text.split('\n'));
    expect(Math.max(...lines.map((line) => line.length))).toBeLessThanOrEqual(16);
    // Without the rule these sentences fit one 42-character line each, so 16 really cut them.
    expect(lines.length).toBeGreaterThan(spanish.length);

    // The job page says the same.
    await item.locator(byTestId('job-link')).click();
    await page.waitForSelector(`${byTestId('progress-panel')}[data-status="completed"]`, { timeout: 30_000 });
    await page.waitForSelector(byTestId('job-translated-by'));
    expect(await page.textContent(byTestId('job-engine'))).toBe('Best available');
    expect(await page.textContent(byTestId('job-translated-by'))).toBe('Spanish: apertium');
    expect(await page.textContent(byTestId('job-imported-subtitles'))).toBe('Imported from SRT (2 cues), not transcribed');
    expect(await page.textContent(byTestId('job-subtitle-rules'))).toBe('16 characters per line, 20 characters/s');
    await page.waitForSelector(`${byTestId('source-segments')}:has-text("zebra walks")`);
    expect(await page.textContent(byTestId('source-segments'))).toContain('My friend eats a red apple.');
    expect(pageErrors).toEqual([]);
    process.stdout.write(`dashboard import: ${spanish.length} es cues, ${lines.length} lines ≤ 16: ${JSON.stringify(lines)}\n`);
  });
});
