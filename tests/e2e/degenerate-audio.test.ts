import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import type { Segment, Transcript } from '@babelfish/core';
import { storageKeys } from '@babelfish/storage';
import { sample } from '../support/paths';
import { startStack, submitAndWait, type Stack } from '../support/stack';

/**
 * Issue 11 end to end: videos whose audio is noise, a tone or music-like chords go through the
 * real API, queue and worker (Whisper in its thread, VAD, safeguards from the config defaults)
 * and end as a clean failed "no speech" job that keeps its upload, never as subtitles of
 * invented words; speech Whisper loops on leaves no runaway repetition; and the per-segment
 * decoding statistics reach the stored transcript.
 */

/** A 64×64 black video over the given lavfi audio source. */
function makeVideo(file: string, audio: string, seconds = 20): void {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=black:s=64x64:d=${seconds}`,
    '-f', 'lavfi', '-i', audio,
    '-t', String(seconds), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file,
  ]);
}

/** A video of espeak-ng saying `text`. */
function makeSpokenVideo(file: string, text: string): void {
  const wav = `${file}.wav`;
  execFileSync('espeak-ng', ['-w', wav, text]);
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=black:s=64x64', '-i', wav, '-shortest', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', file]);
}

const audioSources: [string, string][] = [
  ['pink noise', 'anoisesrc=d=20:c=pink:r=16000:a=0.3'],
  ['a 440 Hz tone', 'sine=f=440:d=20:r=16000'],
  [
    'music-like chords',
    "aevalsrc='0.2*sin(2*PI*(261.6+130.8*floor(mod(t,4)))*t)+0.2*sin(2*PI*329.6*t*(1+floor(mod(t,2))/4))+0.15*sin(2*PI*392*t)*(0.5+0.5*sin(2*PI*2*t))':d=20:s=16000",
  ],
];

describe('Degenerate audio through the whole service (issue 11)', () => {
  let stack: Stack;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-degenerate-e2e-'));

  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite' });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  async function run(file: string): Promise<{ jobId: string; status: string; error?: string }> {
    const { jobId, last } = await submitAndWait(stack, stack.apiKey, file, { to: 'es', from: 'en' });
    return { jobId, status: last.status, error: last.error };
  }

  /** The stored transcript (local storage driver): what the editor, translation and later exports read. */
  function transcriptOf(jobId: string): Transcript {
    return JSON.parse(fs.readFileSync(path.join(stack.config.storage.dir, storageKeys.transcript(jobId)), 'utf8')) as Transcript;
  }

  it.each(audioSources)('fails a video of %s as "no speech" with a readable reason, and keeps the upload', async (name, source) => {
    const file = path.join(scratch, `${name.replace(/\W+/g, '-')}.mp4`);
    makeVideo(file, source);
    const { jobId, status, error } = await run(file);
    expect(status).toBe('failed');
    expect(error).toMatch(/No speech was found/);
    const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
    expect(job).toMatchObject({ status: 'failed', error: expect.stringMatching(/No speech was found/) });
    const stored = path.join(stack.config.storage.dir, 'jobs', jobId, 'input');
    expect(fs.readFileSync(stored).equals(fs.readFileSync(file))).toBe(true);
  });

  it('leaves no runaway repetition when Whisper loops on a word said 30 times', async () => {
    const file = path.join(scratch, 'okay.mp4');
    makeSpokenVideo(file, 'okay '.repeat(30));
    const { jobId, status, error } = await run(file);
    // Either the loop is collapsed to a copy, or its window is taken for silence (then no speech at all).
    if (status === 'failed') expect(error).toMatch(/No speech was found/);
    else expect(status).toBe('completed');
    const segments = status === 'completed' ? transcriptOf(jobId).segments : [];
    const words = segments.flatMap((segment) => segment.text.split(/\s+/)).filter(Boolean);
    // Before the safeguards: "Okay, okay, okay, …" to Whisper's token limit, in every cue.
    expect(words.length).toBeLessThan(10);
    expect(segments.length).toBeLessThanOrEqual(2);
  });

  it('stores each segment with its decoding statistics (jfk.mp4, greedy, confident)', async () => {
    const { jobId, status } = await run(sample('jfk.mp4'));
    expect(status).toBe('completed');
    const { segments } = transcriptOf(jobId);
    expect(segments.length).toBeGreaterThan(0);
    for (const segment of segments as Segment[]) {
      expect(segment).toMatchObject({ temperature: 0, avgLogprob: expect.any(Number), compressionRatio: expect.any(Number), noSpeechProb: expect.any(Number) });
      expect(segment.avgLogprob).toBeGreaterThan(-1);
      expect(segment.compressionRatio).toBeLessThan(2.4);
      expect(segment.noSpeechProb).toBeLessThan(0.6);
    }
  });
});
