import { alignTokens, firstFrames, medianFilter } from './word-alignment';

describe('word alignment', () => {
  it('median-filters with reflected edges', () => {
    expect([...medianFilter(Float32Array.from([5, 1, 9, 2, 8]), 3)]).toEqual([1, 5, 2, 8, 2]);
  });

  it('gives the median of every 7-wide window, as sorting each window would', () => {
    let seed = 7;
    const random = () => ((seed = (seed * 16_807) % 2_147_483_647) / 2_147_483_647) * 2 - 1;
    const data = Float32Array.from({ length: 300 }, random);
    const expected = Array.from(data, (_, i) => {
      const window = [-3, -2, -1, 0, 1, 2, 3].map((j) => {
        const index = i + j < 0 ? -(i + j) : i + j > 299 ? 2 * 299 - (i + j) : i + j;
        return data[index]!;
      });
      return window.sort((a, b) => a - b)[3];
    });
    expect([...medianFilter(data, 7)]).toEqual(expected);
  });

  it('finds the monotonic path of a diagonal similarity: token k starts at its own frame', () => {
    const similarity = [0, 1, 2].map((row) => Float32Array.from({ length: 6 }, (_, col) => (Math.floor(col / 2) === row ? 1 : -1)));
    expect(firstFrames(similarity)).toEqual([0, 2, 4]);
  });

  it('turns attention rows into token start times, skipping the prompt rows', () => {
    // 2 prompt rows, then 3 tokens attending to frames 10, 30 and 50 of 60 (one head).
    const row = (peak: number) => Float32Array.from({ length: 60 }, (_, f) => Math.exp(-((f - peak) ** 2) / 8));
    const rows = [row(0), row(0), row(10), row(30), row(50)];
    const times = alignTokens(rows, 1, 60, 2, 1);
    expect(times).toHaveLength(3);
    expect(times[0]!).toBeLessThan(times[1]!);
    expect(times[1]!).toBeLessThan(times[2]!);
    expect(times[2]!).toBeLessThanOrEqual(60 * 0.02);
  });
});
