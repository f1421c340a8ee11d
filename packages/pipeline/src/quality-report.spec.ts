import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { QualityReport } from '@babelfish/core';
import { createLocalStorage } from '@babelfish/storage';
import type { JobRecord } from '@babelfish/db';
import type { StageContext } from './context';
import { recordQuality } from './quality-report';
import { jobRules } from './source-cues';

/** The report checks each track against its own language's rules (the job's choices on top). */
describe('recordQuality per language', () => {
  const job = { options: { subtitleRules: { maxCharsPerSecond: 15 } } } as unknown as JobRecord;
  let stored: QualityReport | undefined;
  // Real local storage (empty: this job has no translation reports of an LLM engine to read).
  const storageDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-quality-'));
  afterAll(() => fs.rmSync(storageDir, { recursive: true, force: true }));
  const ctx = {
    logger: { info: () => undefined, warn: () => undefined },
    storage: createLocalStorage(storageDir),
    jobs: { setQuality: async (_id: string, report: QualityReport) => void (stored = report) },
  } as unknown as StageContext;

  it('flags a 14-character Japanese line, not the same cue length in English', async () => {
    const report = await recordQuality(
      ctx,
      'job-1',
      [
        { language: 'en', kind: 'source', segments: [{ start: 0, end: 4, text: 'Tokyo is big.' }] },
        { language: 'ja', kind: 'translation', segments: [{ start: 0, end: 4, text: '東京は日本の首都で人口が多い' }] },
      ],
      { job: jobRules(job), forLanguage: (language) => jobRules(job, language) },
      [],
    );
    expect(stored).toBe(report);
    expect(report.rules.maxCharsPerLine).toBe(42);
    const [en, ja] = report.tracks;
    expect(en!.rules).toMatchObject({ maxCharsPerLine: 42, maxCharsPerSecond: 15 });
    expect(ja!.rules).toMatchObject({ maxCharsPerLine: 13, maxCharsPerSecond: 15, fullWidthUnits: true });
    expect(en!.counts.lineLength).toBe(0);
    expect(ja!.counts.lineLength).toBe(1);
  });
});
