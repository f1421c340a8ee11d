import { planWindows } from './audio-windows';

/** Loud noise with silent gaps at the given seconds (each 0.5 s long). */
function noiseWithGaps(seconds: number, gaps: number[]): Float32Array {
  const audio = new Float32Array(seconds * 16_000);
  let seed = 1;
  for (let i = 0; i < audio.length; i++) {
    seed = (seed * 1103515245 + 12345) % 2 ** 31;
    audio[i] = (seed / 2 ** 31 - 0.5) * 0.5;
  }
  for (const gap of gaps) audio.fill(0, gap * 16_000, (gap + 0.5) * 16_000);
  return audio;
}

describe('planWindows', () => {
  it('keeps audio up to 30 s in one window', () => {
    expect(planWindows(new Float32Array(30 * 16_000))).toEqual([{ start: 0, end: 30 * 16_000 }]);
    expect(planWindows(new Float32Array(0))).toEqual([{ start: 0, end: 0 }]);
  });

  it('cuts long audio inside silences, each window at most 30 s and covering everything', () => {
    const audio = noiseWithGaps(70, [24, 48]);
    const windows = planWindows(audio);
    expect(windows).toHaveLength(3);
    expect(windows[0]?.start).toBe(0);
    expect(windows.at(-1)?.end).toBe(audio.length);
    for (const [i, window] of windows.entries()) {
      expect(window.end - window.start).toBeLessThanOrEqual(30 * 16_000);
      if (i > 0) expect(window.start).toBe(windows[i - 1]?.end);
    }
    // Cut points fall inside the silent gaps.
    expect((windows[0]?.end ?? 0) / 16_000).toBeGreaterThanOrEqual(24);
    expect((windows[0]?.end ?? 0) / 16_000).toBeLessThanOrEqual(24.5);
    expect((windows[1]?.end ?? 0) / 16_000).toBeGreaterThanOrEqual(48);
    expect((windows[1]?.end ?? 0) / 16_000).toBeLessThanOrEqual(48.5);
  });

  it('still cuts (at 20–30 s) when there is no silence at all', () => {
    const windows = planWindows(noiseWithGaps(65, []));
    for (const window of windows.slice(0, -1)) {
      expect((window.end - window.start) / 16_000).toBeGreaterThanOrEqual(20);
      expect((window.end - window.start) / 16_000).toBeLessThanOrEqual(30);
    }
  });
});
