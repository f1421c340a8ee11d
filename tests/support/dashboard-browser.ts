import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { repoRoot } from './paths';

/**
 * What the dashboard's browser tests share: Debian's headless Chromium on a page that records
 * its script errors, the web build the API serves, and the steps every upload takes (log in,
 * pick the languages in the searchable pickers).
 */
export const chromiumPath = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const byTestId = (id: string) => `[data-testid="${id}"]`;

export type DashboardBrowser = { browser: Browser; page: Page; pageErrors: string[]; close: () => Promise<void> };

/** Builds apps/web/dist when missing: the API serves it only if it exists when the app is created, so call this before starting the stack. */
export function ensureWebBuild(): void {
  if (!fs.existsSync(chromiumPath)) throw new Error(`Chromium not found at ${chromiumPath}: apt-get install chromium`);
  if (!fs.existsSync(path.join(repoRoot, 'apps/web/dist/index.html'))) {
    execFileSync('pnpm', ['--filter', '@babelfish/web', 'build'], { cwd: repoRoot, stdio: 'inherit', timeout: 120_000 });
  }
}

export async function openDashboardBrowser(): Promise<DashboardBrowser> {
  const browser = await chromium.launch({ executablePath: chromiumPath, headless: true, args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'] });
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  const pageErrors: string[] = [];
  page.on('pageerror', (error) => pageErrors.push(String(error)));
  return { browser, page, pageErrors, close: () => browser.close() };
}

/** Logs in with an API key and waits for the upload form. */
export async function logIn(page: Page, apiUrl: string, apiKey: string): Promise<void> {
  await page.goto(`${apiUrl}/`);
  await page.fill(byTestId('api-key'), apiKey);
  await page.click(byTestId('login-submit'));
  await page.waitForSelector(byTestId('upload-form'));
}

/** The searchable pickers: type, then Enter takes the first match; Escape closes the list over the form. */
export async function pickLanguages(page: Page, languages: { from: { search: string; code: string }; to: string }): Promise<void> {
  await page.locator(byTestId('source-language-search')).fill(languages.from.search);
  await page.locator(byTestId('source-language-search')).press('Enter');
  await page.locator(byTestId(`source-language-chip-${languages.from.code}`)).waitFor();
  await page.locator(byTestId('target-search')).fill(languages.to);
  await page.locator(byTestId('target-search')).press('Enter');
  await page.locator(byTestId(`target-chip-${languages.to}`)).waitFor();
  await page.locator(byTestId('target-search')).press('Escape');
}

/**
 * Sends the upload form as filled in and waits for the job it made to be queued; returns the
 * job list entry (for its link) and the job's id.
 */
export async function submitUploadForm(page: Page, fileName: string) {
  await page.click(byTestId('upload-submit'));
  await page.waitForSelector(`${byTestId('upload-status')}:has-text("queued")`, { timeout: 30_000 });
  const item = page.locator(byTestId('job-item'), { hasText: fileName }).first();
  await item.waitFor();
  return { item, jobId: (await item.getAttribute('data-job-id'))! };
}

