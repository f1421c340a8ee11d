import { leastSpeechAt, speechRegions, VAD_FRAME_SAMPLES } from './speech-regions';

/** Probabilities for `seconds` of audio, speech (0.9) inside the given [from, to) second ranges, else 0.05. */
function probabilities(seconds: number, speech: [number, number][]): Float32Array {
  const frames = Math.floor((seconds * 16_000) / VAD_FRAME_SAMPLES);
  return Float32Array.from({ length: frames }, (_, frame) => {
    const t = (frame * VAD_FRAME_SAMPLES) / 16_000;
    return speech.some(([from, to]) => t >= from && t < to) ? 0.9 : 0.05;
  });
}

const seconds = (range: { start: number; end: number }) => [range.start / 16_000, range.end / 16_000];

describe('speechRegions', () => {
  it('finds each stretch of speech, padded by 0.2 s, and nothing in silence', () => {
    const regions = speechRegions(probabilities(20, [[2, 5], [10, 12.5]]), 20 * 16_000);
    expect(regions).toHaveLength(2);
    const [first, second] = regions.map(seconds);
    expect(first![0]).toBeCloseTo(1.8, 1);
    expect(first![1]).toBeCloseTo(5.2, 1);
    expect(second![0]).toBeCloseTo(9.8, 1);
    expect(second![1]).toBeCloseTo(12.7, 1);
    expect(speechRegions(probabilities(5, []), 5 * 16_000)).toEqual([]);
  });

  it('keeps a sentence together over short pauses, drops blips, and runs to the end when speech does', () => {
    // 0.2 s gap (shorter than the 0.3 s minimum silence) and a 0.1 s blip (shorter than 0.25 s of speech).
    const regions = speechRegions(probabilities(12, [[1, 4], [4.2, 6], [8, 8.1], [10, 12]]), 12 * 16_000);
    expect(regions.map(seconds)).toEqual([
      [expect.closeTo(0.8, 1), expect.closeTo(6.2, 1)],
      [expect.closeTo(9.8, 1), 12],
    ]);
  });

  it('joins regions less than a second apart, keeping the quiet between them', () => {
    const regions = speechRegions(probabilities(12, [[1, 3], [3.8, 5], [7, 8]]), 12 * 16_000);
    expect(regions.map(seconds)).toEqual([
      [expect.closeTo(0.8, 1), expect.closeTo(5.2, 1)],
      [expect.closeTo(6.8, 1), expect.closeTo(8.2, 1)],
    ]);
  });

  it('splits padding between neighbours that are closer than two paddings', () => {
    const [a, b] = speechRegions(probabilities(6, [[1, 2], [2.35, 3]]), 6 * 16_000, { joinGapSeconds: 0 });
    expect(a!.end).toBeLessThanOrEqual(b!.start);
    expect(b!.start - a!.end).toBeLessThan(16_000 * 0.05);
  });
});

describe('leastSpeechAt', () => {
  it('picks the least speech-like frame in the range (the latest of equals)', () => {
    const p = new Float32Array(100).fill(0.9);
    p[40] = 0.2;
    p[70] = 0.1;
    p[90] = 0.1;
    expect(leastSpeechAt(p, 30 * VAD_FRAME_SAMPLES, 80 * VAD_FRAME_SAMPLES)).toBe(70 * VAD_FRAME_SAMPLES + VAD_FRAME_SAMPLES / 2);
    expect(leastSpeechAt(p, 0, 100 * VAD_FRAME_SAMPLES)).toBe(90 * VAD_FRAME_SAMPLES + VAD_FRAME_SAMPLES / 2);
  });
});
