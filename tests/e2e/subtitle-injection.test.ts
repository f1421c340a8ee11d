import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { QualityReport, Segment } from '@babelfish/core';
import { createSubtitleRepository, openDatabase } from '@babelfish/db';
import { parseSrt, parseWebVtt } from '@babelfish/media';
import { sample } from '../support/paths';
import { startStack, type Stack, downloadTo } from '../support/stack';
import { watchJob } from '../support/socket';

type Track = { language: string; version: number; segments: Segment[]; vttUrl: string };
type Output = { kind: string; language: string | null; url: string };

/** Subtitle packets that carry text (MP4's timed text also stores an empty sample for each gap). */
function textPackets(file: string): number {
  const csv = execFileSync('ffprobe', ['-v', 'error', '-select_streams', 's:0', '-show_entries', 'packet=size', '-of', 'csv=p=0', file], { encoding: 'utf8' });
  return csv.split('\n').filter((line) => Number.parseInt(line, 10) > 2).length;
}

/** The first subtitle track as ffmpeg decodes it, written out in `format`. */
function decodeTrack(file: string, format: 'srt' | 'ass'): string {
  return execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:s:0', '-f', format, '-'], { encoding: 'utf8' });
}

/** Dialogue texts of an ASS script, and its override blocks (`{` not escaped by a backslash). */
function dialogues(ass: string): { texts: string[]; overrides: string[] } {
  const texts = ass.split(/\r?\n/).filter((line) => line.startsWith('Dialogue:')).map((line) => line.split(',').slice(9).join(','));
  return { texts, overrides: texts.flatMap((text) => [...text.matchAll(/(?<!\\)\{[^}]*\}/g)].map((match) => match[0])) };
}

/** The timing rules every written file keeps (broadcast defaults: 1 s minimum, 83 ms gap). */
function timingProblems(cues: readonly Segment[]): string[] {
  return cues.flatMap((cue, i) => {
    const problems: string[] = [];
    if (cue.end - cue.start < 0.999) problems.push(`cue ${i + 1} lasts ${(cue.end - cue.start).toFixed(3)} s`);
    const previous = cues[i - 1];
    if (previous && cue.start - previous.end < 0.0825) problems.push(`cue ${i + 1} starts ${(cue.start - previous.end).toFixed(3)} s after cue ${i}`);
    return problems;
  });
}

/**
 * Issue 11: edited subtitle text cannot inject cues or markup into any output, edits are
 * checked for control characters and size, and every written track keeps the timing rules.
 * One jfk.mp4 → es job on the real stack (SQLite, worker process, ffmpeg), with small limits.
 */
describe('hostile subtitle edits on the real stack', () => {
  let stack: Stack;
  let jobId = '';
  let spanish: Track;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-subtitle-injection-'));
  const api = () => stack.http();
  const download = (url: string, name: string) => downloadTo(stack, url, scratch, name);
  const put = (segments: Segment[], baseVersion = spanish.version) => api().put(`/v1/jobs/${jobId}/subtitles/es`).send({ segments, baseVersion });

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite', env: { SUBTITLE_MAX_CUES: '40', SUBTITLE_MAX_TEXT_BYTES: '4096', SUBTITLE_MAX_VERSIONS: '3' } });
    const submitted = await api().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', sample('jfk.mp4'));
    expect(submitted.status).toBe(202);
    jobId = submitted.body.job.id;
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    expect(await watch.finished).toMatchObject({ status: 'completed' });
    watch.close();
    const tracks: Track[] = (await api().get(`/v1/jobs/${jobId}/subtitles`)).body.tracks;
    spanish = tracks.find((track) => track.language === 'es')!;
    expect(spanish.version).toBe(1);
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('refuses control characters (400) and tracks over the configured size (413), saving nothing', async () => {
    const nul = await put([{ start: 0.5, end: 2, text: 'Hola\u0000' }]);
    expect(nul.status).toBe(400);
    expect(nul.body.error.message).toMatch(/Cue 1: text contains the control character U\+0000/);
    const override = await put([{ start: 0.5, end: 2, text: 'right-to-left \u202e trick' }]);
    expect(override.body.error.message).toMatch(/U\+202E/);

    const manyCues = Array.from({ length: 41 }, (_, i) => ({ start: i * 0.25, end: i * 0.25 + 0.2, text: `cue ${i}` }));
    const tooMany = await put(manyCues);
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.error).toMatchObject({ code: 'PAYLOAD_TOO_LARGE', message: 'The track has 41 cues; the limit is 40' });
    const bigText = Array.from({ length: 5 }, (_, i) => ({ start: i * 2, end: i * 2 + 1.5, text: 'é'.repeat(450) }));
    const tooBig = await put(bigText);
    expect(tooBig.status).toBe(413);
    expect(tooBig.body.error.message).toBe('The track\'s text is 4500 bytes; the limit is 4096');

    const tracks: Track[] = (await api().get(`/v1/jobs/${jobId}/subtitles`)).body.tracks;
    expect(tracks.find((track) => track.language === 'es')?.version).toBe(1);
  });

  it('writes hostile text literally: no extra cue, no override or font tag in the SRT, MKV, MP4 or ASS; every cue keeps the timing rules', async () => {
    const hostile: Segment[] = [
      { start: 0.5, end: 2.5, text: 'Hola\n\n9\n00:00:20,000 --> 00:00:25,000\nInyectado' },
      { start: 3, end: 5, text: '{\\pos(0,0)}{\\fs200}<font color="red" size="80">rojo</font> \\N <i>bien</i>' },
      // Too short for the rules (0.2 s): the written cue is stretched into the pause after it.
      { start: 5.5, end: 5.7, text: 'corto' },
      { start: 8, end: 10, text: '7\r\n00:00:30,000 --> 00:00:31,000\tfin' },
    ];
    const saved = await put(hostile);
    expect(saved.status).toBe(200);
    expect(saved.body.track).toMatchObject({ version: 2, origin: 'edit' });
    // Stored as sent but for line breaks and tabs, so the editor shows what was typed.
    expect(saved.body.track.segments[3].text).toBe('7\n00:00:30,000 --> 00:00:31,000 fin');

    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    expect((await api().post(`/v1/jobs/${jobId}/remux`)).status).toBe(202);
    expect(await watch.finished).toMatchObject({ status: 'completed' });
    watch.close();
    const { outputs, quality }: { outputs: Output[]; quality: QualityReport } = (await api().get(`/v1/jobs/${jobId}/outputs`)).body;
    const url = (kind: string, language: string | null) => outputs.find((output) => output.kind === kind && output.language === language)!.url;

    // SRT: exactly the four cues, read by our parser and by ffmpeg; no tag but <i>.
    const srtFile = await download(url('srt', 'es'), 'es.srt');
    const srt = fs.readFileSync(srtFile, 'utf8');
    const cues = parseSrt(srt);
    expect(cues).toHaveLength(hostile.length);
    expect(cues.map((cue) => cue.start)).toEqual([0.5, 3, 5.5, 8]);
    expect(cues[2]!.end - cues[2]!.start).toBeGreaterThanOrEqual(1);
    expect(timingProblems(cues)).toEqual([]);
    expect(srt.match(/-->/g)).toHaveLength(hostile.length);
    expect(srt).not.toMatch(/\{\\|<font|\\N/);
    expect(textPackets(srtFile)).toBe(hostile.length);
    expect(parseSrt(decodeTrack(srtFile, 'srt'))).toHaveLength(hostile.length);

    // MKV (muxed from that SRT) and MP4 (mov_text, through ffmpeg's SRT decoder): same cues, no markup.
    for (const container of ['mkv', 'mp4'] as const) {
      const video = await download(url(container, null), `out.${container}`);
      expect(textPackets(video)).toBe(hostile.length);
      const track = decodeTrack(video, 'srt');
      expect(parseSrt(track)).toHaveLength(hostile.length);
      expect(timingProblems(parseSrt(track))).toEqual([]);
      expect(track).not.toMatch(/\{\\|<font|\\N|\\h/);
      const { texts, overrides } = dialogues(decodeTrack(video, 'ass'));
      expect(texts).toHaveLength(hostile.length);
      // Italics only (mov_text's decoder leaves them open to the cue's end: no {\i0}).
      expect(overrides.length).toBeGreaterThan(0);
      expect(overrides.filter((block) => block !== '{\\i1}' && block !== '{\\i0}')).toEqual([]);
    }

    // ASS (what burn-in renders): the override escaped, shown as text; only the italics are tags.
    const ass = fs.readFileSync(await download(url('ass', 'es'), 'es.ass'), 'utf8');
    const { texts, overrides } = dialogues(ass);
    expect(texts).toHaveLength(hostile.length);
    expect(texts[1]).toContain('\\{\u2060\\\u2060pos(0,0)\\}\u2060');
    expect(new Set(overrides)).toEqual(new Set(['{\\i1}', '{\\i0}']));

    // The dashboard's preview and the quality report describe the same, rule-abiding cues.
    const vtt = parseWebVtt((await api().get(`/v1/jobs/${jobId}/subtitles/es.vtt`)).text);
    expect(vtt.map(({ start, end }) => ({ start, end }))).toEqual(cues.map(({ start, end }) => ({ start, end })));
    const es = quality.tracks.find((track) => track.language === 'es')!;
    expect(es.cues).toBe(hostile.length);
    expect({ duration: es.counts.duration, overlap: es.counts.overlap, gap: es.counts.gap, empty: es.counts.empty }).toEqual({ duration: 0, overlap: 0, gap: 0, empty: 0 });
  });

  it('keeps the engine original and the newest SUBTITLE_MAX_VERSIONS − 1 edits', async () => {
    for (const [version, text] of [[3, 'tercera'], [4, 'cuarta']] as const) {
      const saved = await put([{ start: 0.5, end: 2.5, text }], version - 1);
      expect(saved.body.track).toMatchObject({ version });
    }
    const database = openDatabase(stack.config.databaseUrl);
    try {
      const history = await createSubtitleRepository(database.db).history(jobId, 'es');
      expect(history.map((track) => [track.version, track.origin])).toEqual([
        [1, 'engine'],
        [3, 'edit'],
        [4, 'edit'],
      ]);
    } finally {
      await database.close();
    }
  });
});
