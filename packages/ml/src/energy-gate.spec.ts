import { frameEnergies, loudStretches, readFrameEnergies, stretchFrames, type FrameRange } from './energy-gate';
import { arraySource } from './audio-source';
import { VAD_FRAME_SAMPLES } from './speech-regions';
import { atLevel, decodeSample, mixAt, pinkNoise } from './test-fixtures';

/** The energy first pass on real audio: JFK (jfk.wav) mixed into ffmpeg's pink noise. */
const FRAME_SECONDS = VAD_FRAME_SAMPLES / 16_000;
const stretchesOf = (audio: Float32Array) => {
  const energies = new Float32Array(Math.floor(audio.length / VAD_FRAME_SAMPLES));
  frameEnergies(audio, energies);
  return loudStretches(energies);
};
const seconds = (stretch: FrameRange) => ({ start: stretch.start * FRAME_SECONDS, end: stretch.end * FRAME_SECONDS });

describe('energy first pass', () => {
  const jfk = decodeSample('jfk.wav');
  // JFK's first word starts about 0.3 s into the file and his last ends about 10.6 s in.
  const speechFrom = 20 + 0.3;
  const speechTo = 20 + 10.6;

  it('finds speech at -30 dBFS over -50 dBFS pink noise, with margins, and nothing else', () => {
    const audio = mixAt(pinkNoise(60, -50), atLevel(jfk, -30), 20);
    const stretches = stretchesOf(audio).map(seconds);
    expect(stretches).toHaveLength(1);
    // 5 s before the first loud frame, 1 s after the last.
    expect(stretches[0]!.start).toBeLessThan(speechFrom - 4.5);
    expect(stretches[0]!.start).toBeGreaterThan(speechFrom - 5.5);
    expect(stretches[0]!.end).toBeGreaterThan(speechTo + 0.5);
    expect(stretches[0]!.end).toBeLessThan(speechTo + 2);
  });

  it('skips pure noise, whatever its level up to -42 dBFS', () => {
    for (const level of [-70, -50, -42]) expect(stretchesOf(pinkNoise(120, level, 3))).toEqual([]);
  });

  it('follows a noise floor that changes: only the seconds around the change are scanned', () => {
    const audio = Float32Array.from([...pinkNoise(60, -65, 2), ...pinkNoise(60, -50, 4)]);
    const stretches = stretchesOf(audio).map(seconds);
    const scanned = stretches.reduce((sum, stretch) => sum + stretch.end - stretch.start, 0);
    expect(scanned).toBeGreaterThan(0);
    expect(scanned).toBeLessThan(40);
    for (const stretch of stretches) expect(stretch.end).toBeGreaterThan(55);
  });

  it('keeps quiet speech just above the floor (-45 dBFS over -50 dBFS noise)', () => {
    const stretches = stretchesOf(mixAt(pinkNoise(60, -50), atLevel(jfk, -45), 20)).map(seconds);
    expect(stretches.length).toBeGreaterThan(0);
    expect(stretches[0]!.start).toBeLessThan(speechFrom);
    expect(stretches.at(-1)!.end).toBeGreaterThan(speechTo);
  });

  it('scans all of a recording whose noise is near speech level (the ceiling), and speech after digital silence', () => {
    const loud = mixAt(pinkNoise(60, -32), atLevel(jfk, -30), 20);
    expect(stretchesOf(loud)).toEqual([{ start: 0, end: Math.floor(loud.length / VAD_FRAME_SAMPLES) }]);
    const afterSilence = mixAt(new Float32Array(40 * 16_000), atLevel(jfk, -50), 20);
    const stretches = stretchesOf(afterSilence).map(seconds);
    expect(stretches).toHaveLength(1);
    expect(stretches[0]!.start).toBeLessThan(speechFrom);
    expect(stretches[0]!.end).toBeGreaterThan(speechTo);
  });

  it('reads the source a block at a time with the same energies as one pass over the samples', async () => {
    const audio = mixAt(pinkNoise(70, -50), atLevel(jfk, -30), 40);
    const frames = Math.floor((audio.length - 1000) / VAD_FRAME_SAMPLES);
    const whole = new Float32Array(frames);
    frameEnergies(audio.subarray(1000), whole);
    const read = await readFrameEnergies(arraySource(audio), 1000, frames);
    expect(Array.from(read)).toEqual(Array.from(whole));
    expect(stretchFrames(loudStretches(read))).toBeLessThan(frames / 3);
  });
});
