/**
 * Token start times from Whisper's cross-attention, the way transformers.js and Hugging Face do
 * it: the alignment heads' attention over the audio frames is normalised per frame, median
 * filtered along time, averaged over heads, and dynamic time warping finds the monotonic path
 * from tokens to frames. Each token's time is where the path first reaches its row.
 */

/** One encoder frame is 20 ms of audio. */
export const SECONDS_PER_FRAME = 0.02;

/**
 * `rows[t]` holds the alignment heads' attention for decoder input position t, as
 * `heads × frames` floats (head-major). `skip` leading rows (the prompt) take part in the
 * normalisation but get no time. Returns one time per row after `skip`, in seconds.
 */
export function alignTokens(rows: readonly Float32Array[], heads: number, frames: number, skip: number, medianWidth = 7): number[] {
  const tokens = rows.length;
  if (tokens <= skip || frames === 0 || heads === 0) return [];
  const stride = rows[0]!.length / heads; // frames stored per head (≥ frames)
  const averaged = Array.from({ length: tokens - skip }, () => new Float32Array(frames));
  const column = new Float32Array(tokens);
  const filtered = new Float32Array(frames);
  const normalised = Array.from({ length: tokens }, () => new Float32Array(frames));

  for (let h = 0; h < heads; h++) {
    // Normalise each frame over the tokens (zero mean, unit variance), as the reference does.
    for (let f = 0; f < frames; f++) {
      let mean = 0;
      for (let t = 0; t < tokens; t++) {
        column[t] = rows[t]![h * stride + f]!;
        mean += column[t]!;
      }
      mean /= tokens;
      let variance = 0;
      for (let t = 0; t < tokens; t++) variance += (column[t]! - mean) ** 2;
      const std = Math.sqrt(variance / tokens);
      for (let t = 0; t < tokens; t++) normalised[t]![f] = (column[t]! - mean) / std;
    }
    for (let t = skip; t < tokens; t++) {
      medianFilter(normalised[t]!, medianWidth, filtered);
      const target = averaged[t - skip]!;
      for (let f = 0; f < frames; f++) target[f]! += filtered[f]! / heads;
    }
  }
  return firstFrames(averaged).map((frame) => frame * SECONDS_PER_FRAME);
}

/**
 * Median of each `width` window, reflecting at the edges (numpy's 'reflect' without repeating
 * the edge). The window is sorted by insertion into a small scratch array: it runs once per
 * token, head and audio frame (~500 000 times per 30 s window), where a typed-array sort() per
 * window cost half a second.
 */
export function medianFilter(data: Float32Array, width: number, out: Float32Array = new Float32Array(data.length)): Float32Array {
  const half = Math.floor(width / 2);
  const window = new Float64Array(width);
  const last = data.length - 1;
  for (let i = 0; i < data.length; i++) {
    for (let j = -half; j <= half; j++) {
      let index = i + j;
      if (index < 0) index = -index;
      else if (index > last) index = 2 * last - index;
      const value = data[Math.min(Math.max(index, 0), last)]!;
      // Insertion: shift the larger values right, then place this one.
      let k = j + half - 1;
      while (k >= 0 && window[k]! > value) {
        window[k + 1] = window[k]!;
        k--;
      }
      window[k + 1] = value;
    }
    out[i] = window[half]!;
  }
  return out;
}

/**
 * Dynamic time warping over the negated similarity (tokens × frames); for each token row, the
 * first frame of the path on that row.
 */
export function firstFrames(similarity: readonly Float32Array[]): number[] {
  const rows = similarity.length;
  const cols = similarity[0]?.length ?? 0;
  const width = cols + 1;
  const cost = new Float64Array((rows + 1) * width).fill(Number.POSITIVE_INFINITY);
  const trace = new Uint8Array((rows + 1) * width);
  cost[0] = 0;
  for (let j = 1; j <= cols; j++) {
    for (let i = 1; i <= rows; i++) {
      const diagonal = cost[(i - 1) * width + j - 1]!;
      const up = cost[(i - 1) * width + j]!;
      const left = cost[i * width + j - 1]!;
      let best = left;
      let step = 2;
      if (diagonal < up && diagonal < left) {
        best = diagonal;
        step = 0;
      } else if (up < diagonal && up < left) {
        best = up;
        step = 1;
      }
      cost[i * width + j] = -similarity[i - 1]![j - 1]! + best;
      trace[i * width + j] = step;
    }
  }
  // Walk back from the end; the first row is the top edge (always left), the first column the left edge (always up).
  const path: [number, number][] = [];
  let i = rows;
  let j = cols;
  while (i > 0 || j > 0) {
    path.push([i - 1, j - 1]);
    const step = i === 0 ? 2 : j === 0 ? 1 : trace[i * width + j]!;
    if (step === 0) {
      i--;
      j--;
    } else if (step === 1) i--;
    else j--;
  }
  path.reverse();
  const first: number[] = [];
  let previousRow = Number.NaN;
  for (const [row, col] of path) {
    if (row !== previousRow && row >= 0) first.push(col);
    previousRow = row;
  }
  return first;
}
