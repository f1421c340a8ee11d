import { arraySource } from './audio-source';
import { longestPauseMiddle, pauseCuts } from './pause-cuts';

describe('longestPauseMiddle', () => {
  it('cuts in the middle of the longest pause, edges included', () => {
    expect(longestPauseMiddle([{ start: 50, end: 200 }, { start: 260, end: 400 }, { start: 420, end: 960 }], 1000)).toBe(230);
    expect(longestPauseMiddle([{ start: 100, end: 200 }], 1000)).toBe(600);
    expect(longestPauseMiddle([{ start: 0, end: 1000 }], 1000)).toBe(500);
  });
});

describe('pauseCuts (loudness, no VAD)', () => {
  it('splits into parts of about equal length, each cut inside a silence', async () => {
    // 90 s of "speech" (noise) with a 1 s silence near each third (28.5 s and 61 s).
    const audio = new Float32Array(90 * 16_000);
    let seed = 7;
    for (let i = 0; i < audio.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      audio[i] = (seed / 2 ** 31 - 0.5) * 0.4;
    }
    for (const silence of [28.5, 61]) audio.fill(0, silence * 16_000, (silence + 1) * 16_000);
    const parts = await pauseCuts(arraySource(audio), 3, undefined);
    expect(parts).toHaveLength(3);
    expect(parts[0]!.start).toBe(0);
    expect(parts.at(-1)!.end).toBe(audio.length);
    for (let i = 1; i < parts.length; i++) expect(parts[i]!.start).toBe(parts[i - 1]!.end);
    expect(parts[0]!.end / 16_000).toBeGreaterThan(28.5);
    expect(parts[0]!.end / 16_000).toBeLessThan(29.5);
    expect(parts[1]!.end / 16_000).toBeGreaterThan(61);
    expect(parts[1]!.end / 16_000).toBeLessThan(62);
  });
});
