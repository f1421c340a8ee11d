/**
 * mulberry32: a small, fast, seeded PRNG, uniform in [0, 1). Used where a "random" choice must
 * be reproducible: Whisper's sampling at temperature > 0 (the same audio gives the same text)
 * and property tests (a failing case replays from its seed).
 */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
