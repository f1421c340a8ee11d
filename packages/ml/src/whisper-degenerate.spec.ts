import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { wordErrorRate, type Segment } from '@babelfish/core';
import { DEFAULT_SAFEGUARDS } from './decode-quality';
import { decodeSample, readSampleText, useOfflineModels } from './test-fixtures';
import { disposeWhisperModels, getWhisper, type SafeguardCounters, type WhisperModel } from './whisper';

/**
 * Whisper on audio with no speech in it, and on audio that makes it loop (issue 11). Real
 * whisper-base q8, real audio made here with ffmpeg and espeak-ng, no mocks. Each case runs with
 * the VAD (what the worker does) and without it (loudness windows: the decoder's own safeguards
 * are then all that stands between the noise and the transcript).
 */

const scratch = mkdtempSync(join(tmpdir(), 'bf-degenerate-'));

/** 16 kHz mono float32 from an ffmpeg lavfi source. */
function synth(filter: string): Float32Array {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', filter, '-ac', '1', '-ar', '16000', '-f', 'f32le', '-'], { maxBuffer: 1 << 28 });
  return new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
}

/** espeak-ng saying `text`, as 16 kHz mono float32. */
function speak(text: string): Float32Array {
  const wav = join(scratch, 'spoken.wav');
  execFileSync('espeak-ng', ['-w', wav, text]);
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', wav, '-ac', '1', '-ar', '16000', '-f', 'f32le', '-']);
  return new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
}

const noise = () => synth('anoisesrc=d=20:c=pink:r=16000:a=0.3');
const tone = () => synth('sine=f=440:d=20:r=16000');
/** Three voices: a bass walking C–G every second, a third that shifts, a fifth that swells. */
const music = () =>
  synth(
    "aevalsrc='0.2*sin(2*PI*(261.6+130.8*floor(mod(t,4)))*t)+0.2*sin(2*PI*329.6*t*(1+floor(mod(t,2))/4))+0.15*sin(2*PI*392*t)*(0.5+0.5*sin(2*PI*2*t))':d=20:s=16000",
  );

const words = (segments: Segment[]) => segments.flatMap((segment) => segment.text.split(/\s+/)).filter(Boolean);

/** No runaway loop: no word said more than `max` times, and the text does not compress like a loop. */
function expectNoLoop(segments: Segment[], max = 3): void {
  const counts = new Map<string, number>();
  for (const word of words(segments)) {
    const key = word.toLowerCase().replace(/[^\p{L}\p{N}']/gu, '');
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  expect(Math.max(0, ...counts.values())).toBeLessThanOrEqual(max);
  for (const segment of segments) expect(segment.compressionRatio ?? 0).toBeLessThan(10);
}

function delta(model: WhisperModel, before: SafeguardCounters): SafeguardCounters {
  return {
    windows: model.counters.windows - before.windows,
    fallbacks: model.counters.fallbacks - before.fallbacks,
    silent: model.counters.silent - before.silent,
    collapsed: model.counters.collapsed - before.collapsed,
  };
}

describe('Whisper on non-speech and looping audio (whisper-base q8)', () => {
  let withVad: WhisperModel;
  let noVad: WhisperModel;

  beforeAll(async () => {
    useOfflineModels();
    withVad = await getWhisper('Xenova/whisper-base', 'q8');
    noVad = await getWhisper('Xenova/whisper-base', 'q8', { vad: false });
  });

  afterAll(async () => {
    await disposeWhisperModels();
    rmSync(scratch, { recursive: true, force: true });
  });

  it.each([
    ['pink noise', noise],
    ['a 440 Hz tone', tone],
    ['music-like chords', music],
  ])('transcribes 20 s of %s as nothing (VAD) or at most a few words without a loop (no VAD)', async (_name, make) => {
    const audio = make();
    expect(await withVad.transcribe(audio, { language: 'en' })).toEqual([]);

    const segments = await noVad.transcribe(audio, { language: 'en' });
    expect(words(segments).length).toBeLessThanOrEqual(3);
    expectNoLoop(segments, 1);
  });

  it('drops noise and a tone as silence once decoded (no-speech probability + low confidence)', async () => {
    const before = { ...noVad.counters };
    expect(await noVad.transcribe(noise(), { language: 'en' })).toEqual([]);
    expect(await noVad.transcribe(tone(), { language: 'en' })).toEqual([]);
    const { windows, silent } = delta(noVad, before);
    expect(windows).toBeGreaterThan(0);
    expect(silent).toBe(windows);
  });

  it('runs the fallback on a word said 30 times (Whisper loops on it) and leaves no runaway repetition', async () => {
    // Greedy loops on "Okay, okay, okay, …" to the end of the window, confidently (avg log-prob ≈ -0.2);
    // so do most samples. What is left is one copy of the loop, or nothing when a hot sample turned
    // out unsure with <|nospeech|> likely (openai's silence rule).
    const audio = speak('okay '.repeat(30));
    for (const model of [withVad, noVad]) {
      const before = { ...model.counters };
      const segments = await model.transcribe(audio, { language: 'en' });
      const counted = delta(model, before);
      expect(counted.fallbacks).toBeGreaterThan(0);
      expect(counted.collapsed + counted.silent).toBeGreaterThan(0);
      expect(words(segments).length).toBeLessThan(10);
      expectNoLoop(segments);
    }
  });

  it('collapses a loop that no temperature escapes to its first copy (temperatures 0 and 0.2 only)', async () => {
    const cool = await getWhisper('Xenova/whisper-base', 'q8', { safeguards: { temperatures: [0, 0.2] } });
    expect(cool).not.toBe(withVad);
    const before = { ...cool.counters };
    const segments = await cool.transcribe(speak('okay '.repeat(30)), { language: 'en' });
    expect(delta(cool, before)).toMatchObject({ fallbacks: 1, collapsed: 1, silent: 0 });
    expect(words(segments).length).toBeGreaterThan(0);
    expect(words(segments).length).toBeLessThanOrEqual(3);
    expectNoLoop(segments);
    for (const segment of segments) {
      expect(segment.avgLogprob).toBeGreaterThan(DEFAULT_SAFEGUARDS.logprobThreshold);
      expect(segment.compressionRatio).toBeGreaterThan(DEFAULT_SAFEGUARDS.compressionRatioThreshold);
    }
  });

  it('keeps a sampled decode that passes when the greedy one loops ("thank you" said 30 times)', async () => {
    // Before the safeguards: "Thank you, thank you, …" to the token limit, then again in the retried tail.
    const audio = speak(Array.from({ length: 30 }, () => 'thank you').join(' '));
    const before = { ...withVad.counters };
    const segments = await withVad.transcribe(audio, { language: 'en' });
    expect(delta(withVad, before).fallbacks).toBeGreaterThan(0);
    expect(segments.length).toBeGreaterThan(0);
    expect(segments.some((segment) => (segment.temperature ?? 0) > 0)).toBe(true);
    expectNoLoop(segments);
  });

  it('keeps clean speech on the greedy fast path, with its statistics on every segment', async () => {
    const before = { ...withVad.counters };
    const jfk = await withVad.transcribe(decodeSample('jfk.wav'), { language: 'en' });
    expect(wordErrorRate(readSampleText('jfk.txt'), jfk.map((segment) => segment.text).join(' '))).toBeLessThanOrEqual(0.1);
    const everest = await withVad.transcribe(decodeSample('es_everest.mp3'), { language: 'es' });
    expect(wordErrorRate(readSampleText('es_everest.txt'), everest.map((segment) => segment.text).join(' '))).toBeLessThanOrEqual(0.25);
    expect(everest.at(-1)?.end).toBeGreaterThan(35);
    // No window failed a check, so the text is the greedy decode's, as before the safeguards.
    expect(delta(withVad, before)).toMatchObject({ fallbacks: 0, silent: 0, collapsed: 0 });
    for (const segment of [...jfk, ...everest]) {
      expect(segment.temperature).toBe(0);
      expect(segment.avgLogprob).toBeGreaterThan(DEFAULT_SAFEGUARDS.logprobThreshold);
      expect(segment.avgLogprob).toBeLessThan(0);
      expect(segment.compressionRatio).toBeGreaterThan(1);
      expect(segment.compressionRatio).toBeLessThan(DEFAULT_SAFEGUARDS.compressionRatioThreshold);
      expect(segment.noSpeechProb).toBeLessThan(DEFAULT_SAFEGUARDS.noSpeechThreshold);
    }
  });

  it('decodes the same audio to the same transcript every time (seeded sampling)', async () => {
    const audio = speak(Array.from({ length: 30 }, () => 'thank you').join(' '));
    expect(await noVad.transcribe(audio, { language: 'en' })).toEqual(await noVad.transcribe(audio, { language: 'en' }));
  });
});
