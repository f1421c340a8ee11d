import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { QualityReport, Segment } from '@babelfish/core';
import { decodeMono, parseSrt, soundSpan } from '@babelfish/media';
import * as edge from '../support/edge-media';
import { sample } from '../support/paths';
import { startStack, type Stack, downloadTo } from '../support/stack';
import { watchJob } from '../support/socket';

/**
 * Issue 11: the files people actually upload. Every clip is built at test time (see
 * edge-media.ts), every job runs on the real stack, and every subtitle file it makes must pass
 * the quality report.
 */

type OutputView = { id: string; kind: string; language: string | null; name: string; url: string };
type Watch = Awaited<ReturnType<typeof watchJob>>;
type Submitted = { id: string; watch: Watch; job: { options: Record<string, unknown>; media: MediaView } };
type MediaView = {
  video: { width?: number; height?: number; rotation?: number } | null;
  audioTrack: number | null;
  audioTrackChosenBy: string | null;
  audioStartOffsetSeconds: number;
  audioTracks: { track: number; language?: string; channelLayout?: string }[];
  subtitles: { codec: string; language?: string }[];
};
type Probed = { codec_type: string; codec_name: string; width?: number; height?: number; pix_fmt?: string; tags?: Record<string, string>; side_data_list?: unknown[]; disposition?: Record<string, number> };

function probe(file: string): Probed[] {
  const json = execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' });
  return (JSON.parse(json) as { streams: Probed[] }).streams;
}
const ofType = (streams: Probed[], type: string) => streams.filter((stream) => stream.codec_type === type);

// Jobs queue up behind one another on the shared worker, so each waits long.
const JOB_TIMEOUT_MS = 900_000;
jest.setTimeout(JOB_TIMEOUT_MS);

describe('real-world media comes out right', () => {
  let stack: Stack;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-real-world-'));
  const jobs: Record<string, Submitted> = {};

  const submit = async (key: string, file: string, fields: Record<string, string>): Promise<Submitted> => {
    let request = stack.http().post('/v1/jobs');
    for (const [name, value] of Object.entries(fields)) request = request.field(name, value);
    const response = await request.attach('file', file);
    expect(response.status).toBe(202);
    const id: string = response.body.job.id;
    const submitted = { id, watch: await watchJob(stack.api.url, id, { apiKey: stack.apiKey, timeoutMs: JOB_TIMEOUT_MS }), job: response.body.job };
    jobs[key] = submitted;
    return submitted;
  };
  const download = (url: string, name: string) => downloadTo(stack, url, scratch, name);
  /** The job as it is once finished: the streams found are filled in by its first step (the probe). */
  const finishedView = async (key: string): Promise<Submitted['job']> => {
    await jobs[key]!.watch.finished;
    return (await stack.http().get(`/v1/jobs/${jobs[key]!.id}`)).body.job;
  };
  /** Waits for the job, checks it completed with a clean quality report, and returns its outputs. */
  const completed = async (key: string): Promise<{ outputs: OutputView[]; quality: QualityReport; output: (kind: string, language?: string) => Promise<string> }> => {
    const job = jobs[key]!;
    expect(await job.watch.finished).toMatchObject({ status: 'completed' });
    const { outputs } = (await stack.http().get(`/v1/jobs/${job.id}/outputs`)).body as { outputs: OutputView[] };
    const { quality } = (await stack.http().get(`/v1/jobs/${job.id}/quality`)).body as { quality: QualityReport };
    expect(quality.tracks.length).toBeGreaterThan(0);
    for (const track of quality.tracks) {
      expect({ language: track.language, cues: track.cues > 0, counts: track.counts }).toEqual({
        language: track.language, cues: true, counts: { empty: 0, lineLength: 0, lineCount: 0, cps: 0, duration: 0, gap: 0, overlap: 0 },
      });
    }
    expect(quality.warnings).toEqual([]);
    const output = (kind: string, language?: string) => {
      const found = outputs.find((entry) => entry.kind === kind && (language === undefined || entry.language === language));
      if (!found) throw new Error(`job ${key} has no ${kind} output${language ? ` in ${language}` : ''}: ${outputs.map((entry) => entry.name).join(', ')}`);
      return download(found.url, `${key}.${found.name}`);
    };
    return { outputs, quality, output };
  };
  const cues = async (key: string, language: string): Promise<Segment[]> => {
    const { output } = await completed(key);
    return parseSrt(fs.readFileSync(await output('srt', language), 'utf8'));
  };
  const text = (segments: Segment[]) => segments.map((segment) => segment.text).join(' ');

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite' });
    const speech = await edge.speechWav(scratch, 'speech', 'Good morning. The weather is lovely today, and the river is calm.');
    const word = await edge.speechWav(scratch, 'word', 'Hello.');
    // Submitted together: the worker takes them in turn while the tests below wait on theirs.
    await submit('delayed', await edge.delayedAudio(scratch, 2), { to: 'es', from: 'en' });
    await submit('undelayed', await edge.delayedAudio(scratch, 0), { to: 'es', from: 'en' });
    const spanishFirst = await edge.twoAudioTracks(scratch, ['spa', 'eng'], 'mp4');
    await submit('tracksEnglish', spanishFirst, { to: 'es', from: 'en' });
    await submit('tracksSpanish', spanishFirst, { to: 'en', from: 'es', dub: 'true' });
    await submit('tracksExplicit', await edge.twoAudioTracks(scratch, ['eng', 'spa'], 'mkv', true), { to: 'en', from: 'es', audioTrack: '1' });
    await submit('surround', await edge.surroundDialogue(scratch), { to: 'es', from: 'en' });
    await submit('cover', await edge.coverArtMp3(scratch, speech), { to: 'es', from: 'en' });
    for (const variant of [
      { name: 'rotated', width: 320, height: 240, pixFmt: 'yuv420p', rotate: 90 },
      { name: 'odd-444', width: 301, height: 199, pixFmt: 'yuv444p' },
      { name: 'ten-bit', width: 320, height: 240, pixFmt: 'yuv420p10le' },
    ]) {
      await submit(variant.name, await edge.pictureVariant(scratch, speech, variant), { to: 'es', from: 'en', burnIn: 'true' });
    }
    await submit('vfr', await edge.variableFrameRate(scratch, speech), { to: 'es', from: 'en', burnIn: 'true' });
    await submit('halfSilence', await edge.subSecond(scratch, 'silence'), { to: 'es', from: 'en' });
    await submit('halfSpeech', await edge.subSecond(scratch, { speech: word }), { to: 'es', from: 'en' });
  });
  afterAll(async () => {
    for (const job of Object.values(jobs)) job.watch.close();
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('audio muxed 2 s after the picture: cues sit where the speech is on the video timeline', async () => {
    // 1.936 s: the container's start time (2 s less the AAC encoder's 64 ms priming).
    expect(Math.abs((await finishedView('delayed')).media.audioStartOffsetSeconds - 2)).toBeLessThanOrEqual(0.1);
    const delayed = await cues('delayed', 'en');
    const undelayed = await cues('undelayed', 'en');
    expect(text(delayed)).toMatch(/country/i);
    // The same speech heard without the delay, moved by the delay…
    expect(Math.abs(delayed[0]!.start - (undelayed[0]!.start + 2))).toBeLessThanOrEqual(0.1);
    // The audio the worker transcribed is on the video's timeline: jfk.wav's speech onset plus 2 s.
    const onset = async (file: string) => soundSpan(await decodeMono(file, 16_000), 16_000, { thresholdDb: -35 })!.start;
    const extracted = await onset(path.join(stack.config.storage.dir, 'jobs', jobs.delayed!.id, 'audio.wav'));
    expect(Math.abs(extracted - ((await onset(sample('jfk.wav'))) + 2))).toBeLessThanOrEqual(0.1);
    // Whisper's first cue opens a little after the raw energy onset (0.2 s here), as it does undelayed.
    expect(delayed[0]!.start).toBeGreaterThan(extracted - 0.1);
    expect(delayed[0]!.start - extracted).toBeLessThanOrEqual(0.35);
  });

  it('two audio tracks: from=en picks the English one even when Spanish comes first; outputs carry only it', async () => {
    const { media } = await finishedView('tracksEnglish');
    expect(media.audioTracks.map((track) => track.language)).toEqual(['spa', 'eng']);
    expect(media).toMatchObject({ audioTrack: 1, audioTrackChosenBy: 'language' });
    expect(text(await cues('tracksEnglish', 'en'))).toMatch(/country/i);
    const { output } = await completed('tracksEnglish');
    for (const kind of ['mp4', 'mkv']) {
      const audio = ofType(probe(await output(kind)), 'audio');
      expect(audio.map((stream) => stream.tags?.language)).toEqual(['eng']);
    }
    // The job view (GET) shows the tracks found and the one used.
    const view = (await stack.http().get(`/v1/jobs/${jobs.tracksEnglish!.id}`)).body.job;
    expect(view.media).toMatchObject({ audioTrack: 1, audioTracks: [{ track: 0, language: 'spa' }, { track: 1, language: 'eng' }] });
  });

  it('two audio tracks: from=es picks the Spanish one, and the same bytes are not reused across tracks', async () => {
    expect((await finishedView('tracksSpanish')).media).toMatchObject({ audioTrack: 0, audioTrackChosenBy: 'language' });
    const spanish = text(await cues('tracksSpanish', 'es'));
    expect(spanish).toMatch(/locura|Everest|escalar/i);
    expect(spanish).not.toMatch(/country/i);
    const { output } = await completed('tracksSpanish');
    expect(ofType(probe(await output('mkv')), 'audio').map((stream) => stream.tags?.language)).toEqual(['spa']);
    // The dub is mixed over the chosen track, which is the only original one kept.
    expect(ofType(probe(await output('dubbed')), 'audio').map((stream) => stream.tags?.language)).toEqual(['spa', 'eng']);
  });

  it('an explicit audioTrack wins; the MKV keeps the upload\'s own subtitle track after ours', async () => {
    expect(jobs.tracksExplicit!.job.options).toMatchObject({ audioTrack: 1 });
    expect(jobs.tracksExplicit!.job.media).toMatchObject({ audioTrack: 1, audioTrackChosenBy: 'audioTrack', subtitles: [{ codec: 'subrip', language: 'fre' }] });
    expect(text(await cues('tracksExplicit', 'es'))).toMatch(/locura|Everest|escalar/i);
    const { output } = await completed('tracksExplicit');
    const mkv = probe(await output('mkv'));
    expect(ofType(mkv, 'audio').map((stream) => stream.tags?.language)).toEqual(['spa']);
    const subtitles = ofType(mkv, 'subtitle');
    // Ours (the English translation, then the Spanish original), then the upload's own.
    expect(subtitles.map((stream) => [stream.codec_name, stream.tags?.language, stream.disposition?.default])).toEqual([['subrip', 'eng', 1], ['subrip', 'spa', 0], ['subrip', 'fre', 0]]);
    expect(subtitles[1]!.tags?.title).toBe('Spanish (original)');
    expect(subtitles[2]!.tags?.title).toBe('Existing French');
    // Text subtitles convert to MP4's mov_text, so the MP4 keeps it too.
    const mp4 = probe(await output('mp4'));
    expect(ofType(mp4, 'audio')).toHaveLength(1);
    expect(ofType(mp4, 'subtitle').map((stream) => [stream.codec_name, stream.tags?.language])).toEqual([['mov_text', 'eng'], ['mov_text', 'spa'], ['mov_text', 'fra']]);
  });

  it('rejects an audio track that does not exist, or is not a number, with a 400', async () => {
    const file = path.join(scratch, 'tracks-spa-eng.mp4');
    for (const [audioTrack, message] of [['2', /audioTrack 2 does not exist: the upload has 2 audio track/], ['first', /audioTrack/], ['-1', /audioTrack/]] as const) {
      const response = await stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en').field('audioTrack', audioTrack).attach('file', file);
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(message);
    }
  });

  it('takes audioTrack in a JSON submission of a resumable upload too', async () => {
    const file = fs.readFileSync(path.join(scratch, 'tracks-spa-eng.mp4'));
    const upload = async () => {
      const created = await stack.http().post('/v1/uploads').send({ name: 'tracks.mp4', size: file.length });
      const id: string = created.body.upload.id;
      await stack.http().patch(`/v1/uploads/${id}`).set('Upload-Offset', '0').set('Content-Type', 'application/offset+octet-stream').send(file);
      return id;
    };
    const missing = await stack.http().post('/v1/jobs').send({ uploadId: await upload(), to: ['es'], from: 'en', audioTrack: 7 });
    expect(missing.status).toBe(400);
    expect(missing.body.error.message).toMatch(/audioTrack 7 does not exist/);
    const response = await stack.http().post('/v1/jobs').send({ uploadId: await upload(), to: ['es'], from: 'en', audioTrack: 1 });
    expect(response.status).toBe(202);
    expect(response.body.job.media).toMatchObject({ audioTrack: 1, audioTrackChosenBy: 'audioTrack' });
    // Same bytes and the same track as the from=en job: its transcript is reused.
    const watch = await watchJob(stack.api.url, response.body.job.id, { apiKey: stack.apiKey, timeoutMs: JOB_TIMEOUT_MS });
    jobs.json = { id: response.body.job.id, watch, job: response.body.job };
    expect(text(await cues('json', 'en'))).toMatch(/country/i);
    expect(watch.events.some((event) => event.message === 'Reused the transcript of the same video')).toBe(true);
  });

  it('5.1 audio with dialogue on the centre channel under loud surround noise is understood', async () => {
    expect((await finishedView('surround')).media.audioTracks).toMatchObject([{ track: 0, channels: 6, channelLayout: '5.1' }]);
    expect(text(await cues('surround', 'en'))).toMatch(/country/i);
  });

  it('an MP3 with cover art is audio: the job completes and no output has a picture', async () => {
    expect((await finishedView('cover')).media.video).toBeNull();
    expect((await stack.http().get(`/v1/jobs/${jobs.cover!.id}`)).body.job.thumbnailUrl).toBeNull();
    expect(text(await cues('cover', 'en'))).toMatch(/weather|morning/i);
    const { output } = await completed('cover');
    for (const kind of ['mp4', 'mkv']) {
      const streams = probe(await output(kind));
      expect(streams.map((stream) => stream.codec_type)).toEqual(['audio', 'subtitle', 'subtitle']); // Spanish, English original
    }
  });

  it.each([
    ['rotated', 240, 320],
    ['odd-444', 300, 198],
    ['ten-bit', 320, 240],
  ])('%s video with burnIn: upright, even-sized yuv420p burned output and a thumbnail', async (key, width, height) => {
    const { output } = await completed(key);
    const [video] = ofType(probe(await output('burned')), 'video');
    expect(video).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width, height });
    expect(video!.side_data_list ?? []).toEqual([]); // no rotation left for players to apply again
    // The ASS canvas has the shape of the picture as shown (portrait for the rotated phone video).
    const ass = fs.readFileSync(await output('ass', 'es'), 'utf8');
    const playRes = (axis: 'X' | 'Y') => Number(new RegExp(`^PlayRes${axis}: (\\d+)`, 'm').exec(ass)![1]);
    expect(playRes('X') / playRes('Y')).toBeCloseTo(width / height, 1);
    const thumbnail = await stack.http().get(`/v1/jobs/${jobs[key]!.id}/thumbnail`).buffer(true);
    expect(thumbnail.status).toBe(200);
    const jpeg = path.join(scratch, `${key}.thumbnail.jpg`);
    fs.writeFileSync(jpeg, thumbnail.body as Buffer);
    const [picture] = probe(jpeg);
    // Portrait stays portrait.
    expect(Math.sign(picture!.width! - picture!.height!)).toBe(Math.sign(width - height));
  });

  it('variable frame rate video with burnIn completes', async () => {
    const { output } = await completed('vfr');
    const burned = probe(await output('burned'));
    expect(ofType(burned, 'video')[0]).toMatchObject({ pix_fmt: 'yuv420p' });
    expect(ofType(burned, 'audio')).toHaveLength(1);
    expect(ofType(probe(await output('mkv')), 'video')).toHaveLength(1);
  });

  it('half a second of silence fails with a readable reason and keeps the upload', async () => {
    const last = await jobs.halfSilence!.watch.finished;
    expect(last.status).toBe('failed');
    expect(last.error).toMatch(/No speech was found/);
    expect(fs.existsSync(path.join(stack.config.storage.dir, 'jobs', jobs.halfSilence!.id, 'input'))).toBe(true);
  });

  it('half a second of speech completes, or fails with a readable reason and keeps the upload', async () => {
    const last = await jobs.halfSpeech!.watch.finished;
    if (last.status === 'completed') {
      await completed('halfSpeech');
      return;
    }
    expect(last.error).toMatch(/^[A-Z][^\n]{10,200}$/);
    expect(last.error).not.toMatch(/ffmpeg|ffprobe|\/tmp\//);
    expect(fs.existsSync(path.join(stack.config.storage.dir, 'jobs', jobs.halfSpeech!.id, 'input'))).toBe(true);
  });
});
