import { wordErrorRate, type Segment } from '@babelfish/core';
import { join } from 'node:path';
import { decodeSample, readSampleText, samplesDir, useOfflineModels } from './test-fixtures';
import { disposeWhisperModels, getWhisper, type WhisperModel } from './whisper';

/** Real whisper-base (q8) from the offline models folder; no mocks. Loaded once for the file. */
describe('WhisperModel (Xenova/whisper-base, q8)', () => {
  let whisper: WhisperModel;
  let jfk: Float32Array;
  let everest: Float32Array;

  beforeAll(async () => {
    useOfflineModels();
    whisper = await getWhisper('Xenova/whisper-base', 'q8');
    jfk = decodeSample('jfk.wav');
    everest = decodeSample('es_everest.mp3');
  });

  afterAll(() => disposeWhisperModels());

  it('is loaded once and shared', async () => {
    expect(await getWhisper('Xenova/whisper-base', 'q8')).toBe(whisper);
  });

  it('detects English in jfk.wav and Spanish in es_everest.mp3', async () => {
    const english = await whisper.detectLanguage(jfk);
    expect(english.language).toBe('en');
    expect(english.probability).toBeGreaterThan(0.8);
    expect(english.top[0]).toEqual({ language: 'en', probability: english.probability });

    const spanish = await whisper.detectLanguage(everest);
    expect(spanish.language).toBe('es');
    expect(spanish.probability).toBeGreaterThan(0.8);
    const total = spanish.top.reduce((sum, guess) => sum + guess.probability, 0);
    expect(total).toBeLessThanOrEqual(1.0001);
  });

  it('transcribes jfk.wav with segment and word timestamps', async () => {
    const progress: number[] = [];
    const segments = await whisper.transcribe(jfk, { language: 'en', onProgress: (p) => progress.push(p) });
    const text = segments.map((segment) => segment.text).join(' ');
    expect(wordErrorRate(readSampleText('jfk.txt'), text)).toBeLessThanOrEqual(0.1);
    expectWellTimed(segments, jfk.length / 16_000);
    expect(progress.at(-1)).toBe(100);
    expect(progress).toEqual([...progress].sort((a, b) => a - b));
  });

  it('transcribes Spanish longer than 30 s (es_everest.mp3, 37.7 s)', async () => {
    const progress: number[] = [];
    const segments = await whisper.transcribe(everest, { language: 'es', onProgress: (p) => progress.push(p) });
    const text = segments.map((segment) => segment.text).join(' ');
    expect(wordErrorRate(readSampleText('es_everest.txt'), text)).toBeLessThanOrEqual(0.25);
    expectWellTimed(segments, everest.length / 16_000);
    // Speech runs to ~37 s: the second window was transcribed, not dropped.
    expect(segments.at(-1)?.end).toBeGreaterThan(35);
    expect(progress.at(-1)).toBe(100);
    expect(progress.length).toBeGreaterThan(2);
  });

  it('transcribes a WAV on disk (read window by window) as it does the same samples in memory', async () => {
    const fromFile = await whisper.transcribe({ wavPath: join(samplesDir, 'jfk.wav') }, { language: 'en' });
    expect(fromFile).toEqual(await whisper.transcribe(jfk, { language: 'en' }));
    const words = await whisper.transcribeWords({ wavPath: join(samplesDir, 'jfk.wav') }, { language: 'en' });
    expect(words.map((word) => word.text).join('').trim()).toBe(fromFile.map((segment) => segment.text).join(' '));
    expect(await whisper.detectLanguage({ wavPath: join(samplesDir, 'jfk.wav') })).toMatchObject({ language: 'en' });
  });

  it('returns no segments for empty or silent audio, and still reports 100', async () => {
    const progress: number[] = [];
    expect(await whisper.transcribe(new Float32Array(0), { language: 'en', onProgress: (p) => progress.push(p) })).toEqual([]);
    expect(await whisper.transcribe(new Float32Array(16_000 * 5), { language: 'en' })).toEqual([]);
    expect(progress).toEqual([0, 100]);
  });

  it('rejects an unknown language before doing any work', async () => {
    await expect(whisper.transcribe(jfk, { language: 'xx' })).rejects.toMatchObject({ code: 'UNKNOWN_LANGUAGE' });
  });
});

/** Subtitle-ready: ordered, inside the audio, not too long, every word timed inside its segment. */
function expectWellTimed(segments: Segment[], duration: number): void {
  expect(segments.length).toBeGreaterThan(1);
  let previousEnd = 0;
  for (const segment of segments) {
    expect(segment.start).toBeGreaterThanOrEqual(previousEnd);
    expect(segment.end).toBeGreaterThan(segment.start);
    expect(segment.end).toBeLessThanOrEqual(duration);
    expect(segment.end - segment.start).toBeLessThanOrEqual(7.5);
    expect(segment.text.length).toBeLessThanOrEqual(84);
    expect(segment.words?.length).toBeGreaterThan(0);
    for (const word of segment.words ?? []) {
      expect(word.start).toBeGreaterThanOrEqual(segment.start);
      expect(word.end).toBeLessThanOrEqual(segment.end);
    }
    previousEnd = segment.end;
  }
}
