import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Segment } from '@babelfish/core';
import { parseSrt } from '@babelfish/media';
import { runCli } from '../support/cli';
import { ffprobeStreams } from '../support/media';
import { modelsDir, sample } from '../support/paths';

/**
 * `babelfish translate` options end to end, each run its own process on this machine's models
 * (no hub, no Redis): --bilingual on jfk.mp4 with no --engine (the engine picked is named in
 * "Translated by"), and the subtitle-rule flags proven by what they change in the SRT.
 */

// Long English sentences, so the default 42-character lines are well over 16 characters.
const LONG_SRT = [
  '1',
  '00:00:01,000 --> 00:00:05,000',
  'My friend eats a red apple in the big house every afternoon.',
  '',
  '2',
  '00:00:06,000 --> 00:00:10,000',
  'The zebra walks to the house because the garden is very warm.',
  '',
].join('\n');

const lines = (cues: readonly Segment[]) => cues.flatMap((cue) => cue.text.split('\n'));
const words = (cues: readonly { text: string }[]) => cues.map((cue) => cue.text).join(' ').split(/\s+/).filter(Boolean);

describe('babelfish translate: --bilingual, the engine used, subtitle rule flags', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-cli-options-'));
  const env = {
    DATA_DIR: path.join(scratch, 'data'),
    MODELS_DIR: modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    REDIS_URL: 'redis://127.0.0.1:1',
    APERTIUM_PAIRS: 'eng-spa fr-es',
  };
  const srt = (dir: string, name: string) => parseSrt(fs.readFileSync(path.join(scratch, dir, name), 'utf8'));

  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

  it('--bilingual without --engine: jfk.en-es.* beside the plain files, the spoken line above each translation, and "Translated by" names apertium', async () => {
    const out = path.join(scratch, 'bilingual');
    const run = await runCli(['translate', sample('jfk.mp4'), '--to', 'es', '--from', 'en', '--bilingual', '--out', out], env);
    expect([run.code, run.stderr.slice(-800)]).toEqual([0, expect.any(String)]);
    // Best available on this machine (no NLLB model, remote models off): Apertium, and the CLI says so.
    expect(run.stdout).toContain('Translated by:\n  es: apertium\n');
    expect(fs.readdirSync(out).sort()).toEqual(
      ['jfk.en-es.ass', 'jfk.en-es.srt', 'jfk.en-es.vtt', 'jfk.en.ass', 'jfk.en.srt', 'jfk.en.vtt', 'jfk.es.ass', 'jfk.es.srt', 'jfk.es.vtt', 'jfk.subtitled.mkv', 'jfk.subtitled.mp4'].sort(),
    );
    for (const name of ['jfk.en-es.srt', 'jfk.en-es.vtt', 'jfk.en-es.ass']) expect(run.stdout).toContain(path.join(out, name));

    const spanish = srt('bilingual', 'jfk.es.srt');
    const english = srt('bilingual', 'jfk.en.srt');
    const bilingual = srt('bilingual', 'jfk.en-es.srt');
    // The Spanish cues and times, each ending with its Spanish text; the English spoken then above it.
    expect(bilingual.map((cue) => [cue.start, cue.end])).toEqual(spanish.map((cue) => [cue.start, cue.end]));
    bilingual.forEach((cue, i) => expect(cue.text.endsWith(spanish[i]!.text)).toBe(true));
    const englishAbove = bilingual.map((cue, i) => ({ text: cue.text.slice(0, cue.text.length - spanish[i]!.text.length) }));
    expect(words(englishAbove)).toEqual(words(english));
    expect(bilingual[0]!.text.toLowerCase()).toMatch(/^and so,? my fellow americans/);
    expect(fs.readFileSync(path.join(out, 'jfk.en-es.vtt'), 'utf8')).toMatch(/^WEBVTT/);
    expect(fs.readFileSync(path.join(out, 'jfk.en-es.ass'), 'utf8')).toMatch(/^Dialogue: .*\{\\rSource\}And so.*\\N\{\\r\}/m);

    for (const video of ['jfk.subtitled.mkv', 'jfk.subtitled.mp4']) {
      const tracks = ffprobeStreams(path.join(out, video))
        .filter((stream) => stream.codec_type === 'subtitle')
        .map((stream) => ({ language: stream.tags?.language, title: stream.tags?.title ?? stream.tags?.handler_name, default: stream.disposition?.default }));
      expect(tracks).toEqual([
        { language: 'spa', title: 'Spanish + English', default: 1 },
        { language: 'spa', title: 'Spanish', default: 0 },
        { language: 'eng', title: 'English (original)', default: 0 },
      ]);
    }
    process.stdout.write(`CLI --bilingual: ${bilingual.length} cues; ${run.stdout.split('\n').slice(0, 2).join(' ')}\n`);
  });

  it('--max-line-chars 16 (with --max-lines and --reading-speed) gives lines of at most 16 characters where the defaults give longer', async () => {
    const input = path.join(scratch, 'talk.srt');
    fs.writeFileSync(input, LONG_SRT);
    const plain = await runCli(['translate', input, '--to', 'es', '--from', 'en', '--out', path.join(scratch, 'default')], env);
    expect([plain.code, plain.stderr.slice(-800)]).toEqual([0, expect.any(String)]);
    const ruled = await runCli(['translate', input, '--to', 'es', '--from', 'en', '--max-line-chars', '16', '--max-lines', '3', '--reading-speed', '30', '--out', path.join(scratch, 'ruled')], env);
    expect([ruled.code, ruled.stderr.slice(-800)]).toEqual([0, expect.any(String)]);

    const before = lines(srt('default', 'talk.es.srt'));
    const after = lines(srt('ruled', 'talk.es.srt'));
    expect(Math.max(...before.map((line) => line.length))).toBeGreaterThan(16);
    expect(Math.max(...after.map((line) => line.length))).toBeLessThanOrEqual(16);
    // The same words, only cut differently; the source track follows the rules too.
    expect(after.join(' ').split(/\s+/)).toEqual(before.join(' ').split(/\s+/));
    expect(Math.max(...lines(srt('ruled', 'talk.en.srt')).map((line) => line.length))).toBeLessThanOrEqual(16);
    process.stdout.write(`CLI --max-line-chars 16: longest es line ${Math.max(...before.map((l) => l.length))} → ${Math.max(...after.map((l) => l.length))} characters\n`);
  });

  it('refuses a rule out of range before doing any work, naming it', async () => {
    const run = await runCli(['translate', sample('jfk.mp4'), '--to', 'es', '--from', 'en', '--max-line-chars', '5', '--out', path.join(scratch, 'refused')], env);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('babelfish: BAD_REQUEST: subtitleRules.maxCharsPerLine must be a number from 16 to 80');
    expect(fs.existsSync(path.join(scratch, 'refused'))).toBe(false);
  });
});
