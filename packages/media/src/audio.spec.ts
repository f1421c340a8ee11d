import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodePcmF32, extractAudioWav, openWav, writeWavRange } from './audio';
import { probeMedia } from './probe';

const JFK = '/work/shared/samples/jfk.mp4';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'babelfish-audio-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('audio', () => {
  it('extracts 16 kHz mono WAV with progress, leaving no partial file behind', async () => {
    const source = await probeMedia(JFK);
    const wav = join(dir, 'jfk.wav');
    const percents: number[] = [];
    await extractAudioWav(JFK, wav, { durationSeconds: source.durationSeconds, onProgress: (percent) => percents.push(percent) });

    const info = await probeMedia(wav);
    expect(info.hasAudio).toBe(true);
    expect(info.hasVideo).toBe(false);
    expect(info.streams[0]).toMatchObject({ kind: 'audio', codec: 'pcm_s16le', sampleRate: 16000, channels: 1 });
    expect(info.durationSeconds).toBeGreaterThan(10.5);
    expect(percents.at(-1)).toBe(100);
    expect(await readdir(dir)).toEqual(['jfk.wav']);
  });

  it('decodes float samples of the whole audio track', async () => {
    const info = await probeMedia(JFK);
    const audioSeconds = info.streams.find((stream) => stream.kind === 'audio')?.durationSeconds ?? 0;
    for (const durationSeconds of [info.durationSeconds, undefined]) {
      const samples = await decodePcmF32(JFK, { durationSeconds });
      expect(samples).toBeInstanceOf(Float32Array);
      expect(Math.abs(samples.length - 16000 * audioSeconds)).toBeLessThan(16000 * 0.1);
      const peak = samples.reduce((max, value) => Math.max(max, Math.abs(value)), 0);
      expect(peak).toBeGreaterThan(0.05); // real speech, not silence
      expect(peak).toBeLessThanOrEqual(1.5);
    }
  });

  it('fails with a readable error and no output when there is no audio', async () => {
    const wav = join(dir, 'none.wav');
    await expect(extractAudioWav('/work/shared/samples/missing.mp4', wav)).rejects.toMatchObject({ code: 'MEDIA_PROCESSING_FAILED' });
    expect(await readdir(dir)).not.toContain('none.wav');
  });

  it('reads any range of a WAV from disk without loading it, with the same samples as a full decode', async () => {
    const wavPath = join(dir, 'range.wav');
    await extractAudioWav(JFK, wavPath);
    const whole = await decodePcmF32(wavPath);
    const wav = await openWav(wavPath);
    try {
      expect(wav.sampleRate).toBe(16000);
      expect(wav.length).toBe(whole.length);
      expect(await wav.read(16000, 16100)).toEqual(whole.subarray(16000, 16100));
      expect((await wav.read(wav.length - 10, wav.length + 500)).length).toBe(10); // clamped
      const slice = join(dir, 'slice.wav');
      await writeWavRange(wav, 32000, 80000, slice);
      const cut = await openWav(slice);
      expect(cut.length).toBe(48000);
      expect(await cut.read(0, cut.length)).toEqual(whole.subarray(32000, 80000));
      await cut.close();
    } finally {
      await wav.close();
    }
  });
});
