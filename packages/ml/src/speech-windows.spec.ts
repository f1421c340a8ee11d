import { planSpeechWindows, toSourceSample, windowFrom } from './speech-windows';

const s = (seconds: number) => Math.round(seconds * 16_000);
const options = { maxSamples: s(27), minSamples: s(18) };

describe('planSpeechWindows', () => {
  it('packs regions into windows of at most 27 s, leaving silence out and cutting only between regions', () => {
    const regions = [0, 12, 24, 36, 48].map((start) => ({ start: s(start), end: s(start + 10) }));
    const windows = planSpeechWindows(regions, new Float32Array(0), options);
    expect(windows.map((window) => window.length)).toEqual([s(20), s(20), s(10)]);
    expect(windows[0]!.pieces).toEqual([
      { start: s(0), end: s(10), offset: 0 },
      { start: s(12), end: s(22), offset: s(10) },
    ]);
    // Every region is in exactly one window, whole.
    expect(windows.flatMap((window) => window.pieces.map(({ start, end }) => ({ start, end })))).toEqual(regions);
  });

  it('ends a full window at its longest pause (once 18 s are in), carrying the rest over', () => {
    // Regions of 6 s; the pause after the 4th (at 28–31 s) is the longest past 18 s of speech.
    const starts = [0, 7, 14, 21, 31, 38];
    const windows = planSpeechWindows(starts.map((start) => ({ start: s(start), end: s(start + 6) })), new Float32Array(0), options);
    expect(windows.map((window) => window.pieces.map((piece) => piece.start / 16_000))).toEqual([
      [0, 7, 14, 21],
      [31, 38],
    ]);
  });

  it('cuts speech longer than a window at its least speech-like frame between 18 and 27 s', () => {
    const probabilities = new Float32Array(Math.ceil(s(60) / 512)).fill(0.9);
    probabilities[Math.floor(s(22) / 512)] = 0.3;
    const windows = planSpeechWindows([{ start: 0, end: s(60) }], probabilities, options);
    expect(windows[0]!.length / 16_000).toBeCloseTo(22, 1);
    for (const window of windows) expect(window.length).toBeLessThanOrEqual(s(27));
    expect(windows.reduce((sum, window) => sum + window.length, 0)).toBe(s(60));
  });
});

describe('window time ↔ source time', () => {
  const window = { pieces: [{ start: s(5), end: s(9), offset: 0 }, { start: s(20), end: s(23), offset: s(4) }], length: s(7) };

  it('maps a position in the window back to the source, through the gap that was left out', () => {
    expect(toSourceSample(window, s(1))).toBe(s(6));
    expect(toSourceSample(window, s(4))).toBe(s(20));
    expect(toSourceSample(window, s(6.5))).toBe(s(22.5));
    expect(toSourceSample(window, s(9))).toBe(s(23)); // clamped to the last piece
  });

  it('takes the tail of a window as a window of its own', () => {
    const tail = windowFrom(window, s(3));
    expect(tail).toEqual({ pieces: [{ start: s(8), end: s(9), offset: 0 }, { start: s(20), end: s(23), offset: s(1) }], length: s(4) });
    expect(toSourceSample(tail, s(2))).toBe(s(21));
  });
});
