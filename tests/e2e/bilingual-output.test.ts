import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { QualityReport } from '@babelfish/core';
import { parseSrt } from '@babelfish/media';
import { ffprobeStreams } from '../support/media';
import { sample } from '../support/paths';
import { downloadTo, startStack, submitAndComplete, type Stack } from '../support/stack';

/**
 * Bilingual output and the original-language track on the real stack (jfk.mp4, en → es):
 * with `bilingual=true` the job also writes jfk.en-es.srt/.vtt/.ass (each Spanish cue with the
 * English words above it; the plain jfk.es.* files unchanged), the videos carry the bilingual
 * track (default), the Spanish one and "English (original)" (never default), and the quality
 * report checks the bilingual track without calling its 2 + 2 lines a lineCount violation.
 */
describe('bilingual subtitles and the source-language track (jfk.mp4, SQLite, worker)', () => {
  let stack: Stack;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-bilingual-'));
  type OutputView = { kind: string; language: string | null; name: string; url: string };
  const outputsOf = async (jobId: string): Promise<{ outputs: OutputView[]; quality: QualityReport }> => (await stack.http().get(`/v1/jobs/${jobId}/outputs`)).body;
  const text = async (output: OutputView) => (await fetch(stack.api.url + output.url, { headers: { Authorization: `Bearer ${stack.apiKey}` } })).text();
  const subtitleStreams = async (output: OutputView) =>
    ffprobeStreams(await downloadTo(stack, output.url, scratch, output.name))
      .filter((stream) => stream.codec_type === 'subtitle')
      .map((stream) => ({ language: stream.tags?.language, title: stream.tags?.title ?? stream.tags?.handler_name, default: stream.disposition?.default }));

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite' });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('writes jfk.en-es.* beside the plain files, pairs each Spanish cue with the English spoken then, and muxes all three tracks', async () => {
    const jobId = await submitAndComplete(stack, stack.apiKey, sample('jfk.mp4'), { to: 'es', from: 'en', bilingual: 'true' });
    expect((await stack.http().get(`/v1/jobs/${jobId}`)).body.job.options).toMatchObject({ bilingual: true });
    const { outputs, quality } = await outputsOf(jobId);
    expect(outputs.map((output) => `${output.kind}:${output.name}`).sort()).toEqual(
      [
        'ass:jfk.en.ass', 'srt:jfk.en.srt', 'vtt:jfk.en.vtt', 'ass:jfk.es.ass', 'srt:jfk.es.srt', 'vtt:jfk.es.vtt',
        'bilingual-ass:jfk.en-es.ass', 'bilingual-srt:jfk.en-es.srt', 'bilingual-vtt:jfk.en-es.vtt', 'mkv:jfk.subtitled.mkv', 'mp4:jfk.subtitled.mp4',
      ].sort(),
    );
    const find = (kind: string, language?: string) => outputs.find((output) => output.kind === kind && (language === undefined || output.language === language))!;

    const spanish = parseSrt(await text(find('srt', 'es')));
    const english = parseSrt(await text(find('srt', 'en')));
    const bilingual = parseSrt(await text(find('bilingual-srt', 'es')));
    // Same cues and times as the Spanish track; each ends with the Spanish text, the English above it.
    expect(bilingual.map((cue) => [cue.start, cue.end])).toEqual(spanish.map((cue) => [cue.start, cue.end]));
    bilingual.forEach((cue, i) => {
      expect(cue.text.endsWith(spanish[i]!.text)).toBe(true);
      expect(cue.text.split('\n').length).toBeLessThanOrEqual(4);
    });
    const words = (cues: { text: string }[]) => cues.map((cue) => cue.text).join(' ').split(/\s+/).filter(Boolean);
    const englishAbove = bilingual.map((cue, i) => ({ text: cue.text.slice(0, cue.text.length - spanish[i]!.text.length) }));
    // Every English word is there, once, in order: the source track laid over the Spanish cues.
    expect(words(englishAbove)).toEqual(words(english));
    expect(bilingual[0]!.text.toLowerCase()).toMatch(/^and so,? my fellow americans/);
    expect(spanish.map((cue) => cue.text).join(' ').toLowerCase()).not.toContain('fellow');
    expect(await text(find('bilingual-vtt'))).toMatch(/^WEBVTT/);
    const ass = await text(find('bilingual-ass'));
    expect(ass).toMatch(/^Style: Source,Noto Sans,\d+,&H00C8C8C8,/m);
    expect(ass).toMatch(/^Dialogue: .*,Default,,0,0,0,,\{\\rSource\}And so.*\\N\{\\r\}/m);

    for (const kind of ['mkv', 'mp4']) {
      expect(await subtitleStreams(find(kind))).toEqual([
        { language: 'spa', title: 'Spanish + English', default: 1 },
        { language: 'spa', title: 'Spanish', default: 0 },
        { language: 'eng', title: 'English (original)', default: 0 },
      ]);
    }

    const track = quality.tracks.find((candidate) => candidate.kind === 'bilingual')!;
    expect(track).toMatchObject({ language: 'es', cues: spanish.length, counts: expect.objectContaining({ lineCount: 0, lineLength: 0 }) });
    const plain = quality.tracks.find((candidate) => candidate.kind === 'translation')!;
    // The timing rules see the same cues as the plain Spanish track.
    for (const rule of ['cps', 'duration', 'gap', 'overlap'] as const) expect(track.counts[rule]).toBe(plain.counts[rule]);
    process.stdout.write(`bilingual e2e: ${bilingual.length} cues, up to ${Math.max(...bilingual.map((cue) => cue.text.split('\n').length))} lines; quality ${JSON.stringify(track.counts)}\n`);
  });

  it('without bilingual, the videos still carry the English original after the Spanish track, never as the default', async () => {
    const jobId = await submitAndComplete(stack, stack.apiKey, sample('jfk.mp4'), { to: 'es', from: 'en' });
    const { outputs, quality } = await outputsOf(jobId);
    expect(outputs.some((output) => output.kind.startsWith('bilingual'))).toBe(false);
    expect(quality.tracks.map((track) => track.kind)).toEqual(['translation', 'source']);
    for (const kind of ['mkv', 'mp4']) {
      expect(await subtitleStreams(outputs.find((output) => output.kind === kind)!)).toEqual([
        { language: 'spa', title: 'Spanish', default: 1 },
        { language: 'eng', title: 'English (original)', default: 0 },
      ]);
    }
  });
});
