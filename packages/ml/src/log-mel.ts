/**
 * Whisper's log-mel features of a ≤ 30 s window, computed like transformers.js'
 * WhisperFeatureExtractor (same window and mel filters, taken from it) but about 3× faster: its
 * generic FFT handles the 400-point frames with Bluestein's algorithm (two 1024-point FFTs
 * each); here a mixed-radix FFT (400 = 4·4·5·5) transforms two real frames at once as one
 * complex signal, and the mel filters, which are zero outside a few bins, are applied sparsely.
 */

export type LogMelSettings = {
  /** The analysis window (400 periodic Hann values). */
  window: ArrayLike<number>;
  /** Mel filters, one row of n_fft / 2 + 1 weights per mel band. */
  melFilters: ArrayLike<number>[];
  hopLength: number;
  /** Samples per window (480 000: 30 s) and frames per window (3000). */
  samples: number;
  frames: number;
};

export function createLogMel(settings: LogMelSettings): (audio: Float32Array) => Float32Array {
  const n = settings.window.length;
  const bins = n / 2 + 1;
  const fft = createFft(n);
  const filters = settings.melFilters.map((row) => sparseRow(row));
  const mels = filters.length;
  const pad = n / 2;
  const re = new Float64Array(n);
  const im = new Float64Array(n);
  const powerA = new Float64Array(bins);
  const powerB = new Float64Array(bins);

  return (audio) => {
    // Zero-padded (or cut) to 30 s, then reflect-padded by half a frame at each end (centred frames).
    const padded = new Float32Array(settings.samples + 2 * pad);
    padded.set(audio.subarray(0, settings.samples), pad);
    const last = settings.samples - 1;
    for (let i = 1; i <= pad; i++) {
      padded[pad - i] = padded[pad + reflect(i, last)]!;
      padded[pad + last + i] = padded[pad + reflect(last - i, last)]!;
    }
    const out = new Float32Array(mels * settings.frames);
    // Frames lying wholly in the zero padding after the audio have no energy: log10(1e-10) = -10.
    const audible = Math.min(settings.frames, Math.ceil((Math.min(audio.length, settings.samples) + pad) / settings.hopLength) + 1);
    out.fill(-10);
    for (let frame = 0; frame < audible; frame += 2) {
      const a = frame * settings.hopLength;
      const b = a + settings.hopLength;
      const second = frame + 1 < settings.frames;
      for (let j = 0; j < n; j++) {
        re[j] = padded[a + j]! * settings.window[j]!;
        im[j] = second ? padded[b + j]! * settings.window[j]! : 0;
      }
      fft(re, im);
      // Two real spectra out of one complex one: A[k] = (Z[k] + conj Z[n-k]) / 2, B[k] = (Z[k] − conj Z[n-k]) / 2i.
      for (let k = 0; k < bins; k++) {
        const m = (n - k) % n;
        const ar = (re[k]! + re[m]!) / 2;
        const ai = (im[k]! - im[m]!) / 2;
        const br = (im[k]! + im[m]!) / 2;
        const bi = (re[m]! - re[k]!) / 2;
        powerA[k] = ar * ar + ai * ai;
        powerB[k] = br * br + bi * bi;
      }
      for (let mel = 0; mel < mels; mel++) {
        const { start, weights } = filters[mel]!;
        let sumA = 0;
        let sumB = 0;
        for (let w = 0; w < weights.length; w++) {
          sumA += weights[w]! * powerA[start + w]!;
          sumB += weights[w]! * powerB[start + w]!;
        }
        out[mel * settings.frames + frame] = Math.log10(Math.max(1e-10, sumA));
        if (second) out[mel * settings.frames + frame + 1] = Math.log10(Math.max(1e-10, sumB));
      }
    }
    // Whisper's normalisation: at most 8 (log10 units) below the loudest value, then scaled.
    let max = Number.NEGATIVE_INFINITY;
    for (const value of out) if (value > max) max = value;
    for (let i = 0; i < out.length; i++) out[i] = (Math.max(out[i]!, max - 8) + 4) / 4;
    return out;
  };
}

function reflect(offset: number, last: number): number {
  return Math.abs(((offset + last) % (2 * last)) - last);
}

function sparseRow(row: ArrayLike<number>): { start: number; weights: Float64Array } {
  let start = 0;
  while (start < row.length && row[start] === 0) start++;
  let end = row.length;
  while (end > start && row[end - 1] === 0) end--;
  return { start, weights: Float64Array.from({ length: end - start }, (_, i) => row[start + i]!) };
}

/**
 * An in-place complex FFT for sizes made of the factors 2–5 (iterative decimation in time; the
 * input permutation, twiddles and small DFT matrices are computed once per size).
 */
export function createFft(n: number): (re: Float64Array, im: Float64Array) => void {
  const factors: number[] = [];
  for (let rest = n, f = 4; rest > 1; ) {
    if (rest % f === 0) {
      factors.push(f);
      rest /= f;
    } else if (f === 4) f = 2;
    else if (f === 2) f = 3;
    else if (f === 3) f = 5;
    else throw new Error(`FFT size ${n} has a prime factor above 5`);
  }
  const order = digitReversal(n, factors);
  // Stages from the last factor (sub-transforms of length 1) to the first (the whole transform).
  let span = 1;
  const stages = [...factors].reverse().map((radix) => {
    const size = span * radix;
    const angle = (turns: number) => (-2 * Math.PI * turns) / size;
    const stage = {
      radix,
      span,
      size,
      // Twiddle of input r at position k: W_size^(r·k); the radix-point DFT matrix: W_radix^(r·q).
      twiddleRe: Float64Array.from({ length: radix * span }, (_, i) => Math.cos(angle(Math.floor(i / span) * (i % span)))),
      twiddleIm: Float64Array.from({ length: radix * span }, (_, i) => Math.sin(angle(Math.floor(i / span) * (i % span)))),
      dftRe: Float64Array.from({ length: radix * radix }, (_, i) => Math.cos((-2 * Math.PI * Math.floor(i / radix) * (i % radix)) / radix)),
      dftIm: Float64Array.from({ length: radix * radix }, (_, i) => Math.sin((-2 * Math.PI * Math.floor(i / radix) * (i % radix)) / radix)),
    };
    span = size;
    return stage;
  });
  const tr = new Float64Array(n);
  const ti = new Float64Array(n);
  const sr = new Float64Array(5);
  const si = new Float64Array(5);

  return (re, im) => {
    for (let i = 0; i < n; i++) {
      tr[i] = re[order[i]!]!;
      ti[i] = im[order[i]!]!;
    }
    for (const { radix, span: width, size, twiddleRe, twiddleIm, dftRe, dftIm } of stages) {
      for (let block = 0; block < n; block += size) {
        for (let k = 0; k < width; k++) {
          for (let r = 0; r < radix; r++) {
            const index = block + r * width + k;
            const wr = twiddleRe[r * width + k]!;
            const wi = twiddleIm[r * width + k]!;
            sr[r] = tr[index]! * wr - ti[index]! * wi;
            si[r] = tr[index]! * wi + ti[index]! * wr;
          }
          if (radix === 4) {
            // W_4 is ±1, ±i: the 4-point DFT is additions only.
            const out = block + k;
            const ar = sr[0]! + sr[2]!;
            const ai = si[0]! + si[2]!;
            const br = sr[0]! - sr[2]!;
            const bi = si[0]! - si[2]!;
            const cr = sr[1]! + sr[3]!;
            const ci = si[1]! + si[3]!;
            const dr = sr[1]! - sr[3]!;
            const di = si[1]! - si[3]!;
            re[out] = ar + cr;
            im[out] = ai + ci;
            re[out + width] = br + di;
            im[out + width] = bi - dr;
            re[out + 2 * width] = ar - cr;
            im[out + 2 * width] = ai - ci;
            re[out + 3 * width] = br - di;
            im[out + 3 * width] = bi + dr;
            continue;
          }
          for (let q = 0; q < radix; q++) {
            let xr = 0;
            let xi = 0;
            for (let r = 0; r < radix; r++) {
              const cr = dftRe[q * radix + r]!;
              const ci = dftIm[q * radix + r]!;
              xr += sr[r]! * cr - si[r]! * ci;
              xi += sr[r]! * ci + si[r]! * cr;
            }
            re[block + q * width + k] = xr;
            im[block + q * width + k] = xi;
          }
        }
      }
      tr.set(re);
      ti.set(im);
    }
  };
}

/** Input order for the decimation in time: indices with their mixed-radix digits reversed. */
function digitReversal(n: number, factors: number[]): Int32Array {
  const order = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let rest = i;
    let reversed = 0;
    let scale = n;
    for (const radix of factors) {
      scale /= radix;
      reversed += (rest % radix) * scale;
      rest = Math.floor(rest / radix);
    }
    order[reversed] = i;
  }
  return order;
}
