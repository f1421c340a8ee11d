import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getLanguage, type Segment } from '@babelfish/core';
import { decodeMono, rmsBetween, soundSpan, writeWavMono16 } from './audio-energy';
import { buildDubFilter, muxDubbedAudio } from './dub-mux';
import { fitTempo, renderDubTrack } from './dub-track';
import { runFfprobeJson } from './process';
import { EspeakTtsEngine, selectTtsEngine } from './tts';
import { PiperTtsEngine } from './tts-piper';

/** Real espeak-ng (Debian) voices and ffmpeg; cues as the pipeline makes them for es_everest.mp4 → English. */
const EVEREST = '/work/shared/samples/es_everest.mp4';
const cues: Segment[] = [
  { start: 0.36, end: 4.048, text: 'Although all say me that it is a madness,' },
  { start: 4.133, end: 8.81, text: 'I know that I can scalar\nthe Everest without oxygen,' },
  { start: 8.895, end: 14.381, text: 'of imagine to go up\nuntil the peak further of the clouds,' },
  { start: 14.466, end: 19.193, text: 'feeling each step,\neach breath is a so big sleep,' },
  { start: 19.278, end: 20.6, text: 'and yes, there is fear, but there is more hope.' }, // too long for 1.3 s: sped up, then cut
  { start: 28.98, end: 32, text: 'Ah, I know it, I know that I can do it.' },
];
const espeak = new EspeakTtsEngine();
let dir: string;
let wav: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'babelfish-dub-'));
  wav = join(dir, 'dub.en.wav');
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('text to speech engines', () => {
  it('finds espeak-ng voices by language and falls back from a missing Piper voice', async () => {
    expect(await espeak.supports('en')).toBe(true);
    expect(await espeak.supports('es')).toBe(true);
    expect(espeak.voiceFor('zh')).toBe('cmn');
    // Any code form of the table finds the voice: espeak-ng names most voices by the table's code.
    expect([espeak.voiceFor('zh-Hant'), espeak.voiceFor('nob'), espeak.voiceFor('ger')]).toEqual(['cmn', 'nb', 'de']);
    expect(await espeak.supports('zh-Hans')).toBe(true);
    expect(await espeak.supports('xx')).toBe(false);
    const piper = new PiperTtsEngine({ voicesDir: join(dir, 'no-voices-here') });
    expect(await piper.supports('en')).toBe(false);
    expect((await selectTtsEngine([piper, espeak], 'en'))?.name).toBe('espeak-ng');
    // Piper names voices language_REGION: zh_TW is Traditional Chinese, en_US English.
    const voicesDir = join(dir, 'piper-voices');
    await mkdir(voicesDir, { recursive: true });
    for (const name of ['zh_TW-huayan-medium.onnx', 'en_US-lessac-low.onnx']) {
      await writeFile(join(voicesDir, name), '');
      await writeFile(join(voicesDir, `${name}.json`), '{}');
    }
    const named = new PiperTtsEngine({ voicesDir, command: 'true' });
    expect([await named.supports('zh-Hant'), await named.supports('zh-TW'), await named.supports('en'), await named.supports('zh')]).toEqual([true, true, true, false]);
  });

  it('fits tempo within bounds, leaving near-fits alone', () => {
    expect(fitTempo(3, 2, 0.9, 2)).toBe(1.5);
    expect(fitTempo(6, 2, 0.9, 2)).toBe(2);
    expect(fitTempo(1, 2, 0.9, 2)).toBe(0.9);
    expect(fitTempo(2.04, 2, 0.9, 2)).toBe(1);
  });
});

describe('renderDubTrack', () => {
  it('puts each cue’s speech inside its cue: starting within 200 ms of the cue start, over before the next cue', async () => {
    const progress: number[] = [];
    const report = await renderDubTrack({ cues, language: 'en', engine: espeak, output: wav, durationSeconds: 37.6, workDir: dir, onProgress: (p) => progress.push(p) });
    expect(report).toMatchObject({ clips: cues.length, silent: 0 });
    expect(report.spedUp).toBeGreaterThanOrEqual(1);
    expect(report.cut).toBeGreaterThanOrEqual(1);
    expect(progress.at(-1)).toBe(100);

    const rate = 16_000;
    const samples = await decodeMono(wav, rate);
    expect(samples.length / rate).toBeCloseTo(37.6, 1);
    cues.forEach((cue, i) => {
      const previousEnd = cues[i - 1]?.end ?? 0;
      const nextStart = cues[i + 1]?.start ?? 37.6;
      // Speech energy between the previous cue's end and the next cue's start belongs to this cue.
      const span = soundSpan(samples, rate, { from: previousEnd + 0.01, to: nextStart - 0.01, thresholdDb: -35 });
      expect(span).toBeDefined();
      expect(Math.abs(span!.start - cue.start)).toBeLessThanOrEqual(0.2);
      expect(span!.end).toBeLessThanOrEqual(Math.min(nextStart, cue.end + 0.02));
    });
    // Silence between cues (20.6 s → 28.98 s).
    expect(soundSpan(samples, rate, { from: 20.7, to: 28.9, thresholdDb: -50 })).toBeUndefined();
  });
});

describe('muxDubbedAudio', () => {
  it('keeps the original audio first and adds the ducked mix as a tagged second track', async () => {
    const output = join(dir, 'es_everest.dubbed.mp4');
    const percents: number[] = [];
    await muxDubbedAudio({ video: EVEREST, tracks: [{ wav, language: getLanguage('en') }], originalLanguage: getLanguage('es'), output, onProgress: (p) => percents.push(p) });
    type Probed = { streams: { codec_type: string; codec_name: string; tags?: Record<string, string>; disposition?: Record<string, number> }[] };
    const { streams } = await runFfprobeJson<Probed>(['-show_streams', output]);
    const audio = streams.filter((stream) => stream.codec_type === 'audio');
    expect(streams.filter((stream) => stream.codec_type === 'video').map((stream) => stream.codec_name)).toEqual(['h264']);
    expect(audio.map((stream) => stream.tags?.language)).toEqual(['spa', 'eng']);
    expect(audio.map((stream) => stream.disposition?.default)).toEqual([1, 0]);
    expect(audio[1]?.tags?.handler_name).toBe('English (dubbed)');
    expect(streams.some((stream) => stream.codec_type === 'subtitle')).toBe(false);
    expect(percents.at(-1)).toBe(100);

    expect(buildDubFilter(2)).toContain('[0:a:0]aresample=48000,aformat=sample_fmts=fltp:channel_layouts=stereo,asplit=2[orig0][orig1]');
    expect(buildDubFilter(1, 3)).toMatch(/^\[0:a:3\]aresample/);
  });

  it('ducks the original under the dub and leaves it at full level elsewhere', async () => {
    // A 6 kHz tone stands in for the dub from 5 s to 8 s: a low-pass filter removes it from the
    // mix again, leaving only the (ducked) original to measure.
    const rate = 48_000;
    const tone = new Float32Array(Math.round(37.6 * rate));
    for (let i = 5 * rate; i < 8 * rate; i++) tone[i] = 0.2 * Math.sin((2 * Math.PI * 6000 * i) / rate);
    const toneWav = join(dir, 'tone.wav');
    await writeWavMono16(toneWav, tone, rate);
    const output = join(dir, 'tone.dubbed.mp4');
    await muxDubbedAudio({ video: EVEREST, tracks: [{ wav: toneWav, language: getLanguage('en') }], originalLanguage: getLanguage('es'), output });

    const lowPass = 'lowpass=f=2500,lowpass=f=2500,lowpass=f=2500';
    const original = await decodeMono(output, 16_000, { stream: 0, filter: lowPass });
    const mix = await decodeMono(output, 16_000, { stream: 1, filter: lowPass });
    const levelDb = (from: number, to: number) => 20 * Math.log10(rmsBetween(mix, 16_000, from, to) / rmsBetween(original, 16_000, from, to));
    expect(levelDb(5.3, 7.8)).toBeLessThan(-12); // ducked while the dub speaks
    expect(Math.abs(levelDb(10, 20))).toBeLessThan(1.5); // untouched once it is quiet
  });
});
