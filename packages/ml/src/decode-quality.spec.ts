import {
  bestAttempt,
  collapseRepetitions,
  compressionRatio,
  DEFAULT_SAFEGUARDS,
  distinctSegmentTokens,
  endsInLoop,
  findRepetitions,
  judgeAttempt,
  loopRuns,
  seededRandom,
  segmentTexts,
  type Attempt,
} from './decode-quality';
import { greedyToken, sampleToken } from './whisper-rules';

const ok: Attempt = { avgLogprob: -0.3, compressionRatio: 1.4, noSpeechProb: 0.02, temperature: 0, repetitive: false };

describe('compressionRatio', () => {
  it('is about 1 for ordinary text and high for a loop, as openai/whisper measures it', () => {
    const jfk = 'And so my fellow Americans ask not what your country can do for you, ask what you can do for your country.';
    expect(compressionRatio(jfk)).toBeGreaterThan(1);
    expect(compressionRatio(jfk)).toBeLessThan(DEFAULT_SAFEGUARDS.compressionRatioThreshold);
    expect(compressionRatio(' 5,'.repeat(60))).toBeGreaterThan(8);
    expect(compressionRatio(`${jfk} `.repeat(3))).toBeGreaterThan(DEFAULT_SAFEGUARDS.compressionRatioThreshold);
    expect(compressionRatio('')).toBe(0);
  });

  it('counts each repeated segment once in the text it checks', () => {
    const segments = segmentTexts([100, 1, 2, 3, 101, 101, 1, 2, 3, 102, 103, 4, 5, 104, 99], 99);
    expect(segments).toEqual([[1, 2, 3], [1, 2, 3], [4, 5]]);
    expect(distinctSegmentTokens(segments)).toEqual([1, 2, 3, 4, 5]);
  });
});

describe('findRepetitions', () => {
  it('finds "5,5,5,…" (a two-token unit) and a sentence said three times in a row', () => {
    const five = [20, 7, 20, 7, 20, 7, 20, 7, 20, 7, 20, 7, 20, 7, 20, 7, 20]; // "5,5,5,5,5,5,5,5,5"
    expect(findRepetitions([1, 2, ...five, 3])).toEqual([{ start: 2, unit: 2, repeats: 8 }]);
    const sentence = [11, 12, 13, 14, 15, 16];
    expect(findRepetitions([9, ...sentence, ...sentence, ...sentence, 10])).toEqual([{ start: 1, unit: 6, repeats: 3 }]);
  });

  it('leaves speech alone: a short "no, no, no", a sentence said twice, text without repeats', () => {
    expect(findRepetitions([30, 7, 30, 7, 30, 8])).toEqual([]);
    const sentence = [11, 12, 13, 14, 15, 16, 17, 18, 19];
    expect(findRepetitions([...sentence, ...sentence])).toEqual([]);
    expect(findRepetitions(Array.from({ length: 200 }, (_, i) => i))).toEqual([]);
  });

  it('also finds a short segment repeated in one segment after another', () => {
    const thanks = [100, 40, 41, 42, 101]; // "<|t|> Thank you. <|t|>"
    const segments = segmentTexts([...thanks, ...thanks, ...thanks, 103, 50, 51, 104], 99);
    expect(loopRuns(segments)).toEqual([{ start: 0, unit: 3, repeats: 3 }]);
    expect(loopRuns(segmentTexts([...thanks, ...thanks], 99))).toEqual([]);
  });

  it('tells the decoder when the tokens so far end in a loop', () => {
    const five = Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? 20 : 7));
    expect(endsInLoop([1, 2, 3, ...five])).toBe(true);
    expect(endsInLoop([1, 2, 3, ...five, 4])).toBe(false); // the loop was left: judged on the whole window later
    expect(endsInLoop([30, 7, 30, 7, 30, 7])).toBe(false);
    expect(endsInLoop([])).toBe(false);
  });

  it('collapses each run to its first copy', () => {
    const tokens = [1, 2, 3, 2, 3, 2, 3, 9];
    const kept = collapseRepetitions(tokens.length, [{ start: 1, unit: 2, repeats: 3 }]);
    expect(kept.map((i) => tokens[i])).toEqual([1, 2, 3, 9]);
  });
});

describe('fallback policy (openai/whisper transcribe.py)', () => {
  const s = DEFAULT_SAFEGUARDS;
  it('passes a confident, non-repeating window', () => {
    expect(judgeAttempt(ok, s)).toBe('pass');
  });

  it('falls back on a loop, an unsure decode, or text that compresses too well', () => {
    expect(judgeAttempt({ ...ok, repetitive: true }, s)).toBe('fallback');
    expect(judgeAttempt({ ...ok, avgLogprob: -1.2 }, s)).toBe('fallback');
    expect(judgeAttempt({ ...ok, compressionRatio: 2.5 }, s)).toBe('fallback');
  });

  it('calls it silence only when <|nospeech|> is likely and the decode unsure', () => {
    expect(judgeAttempt({ ...ok, noSpeechProb: 0.9, avgLogprob: -1.3 }, s)).toBe('silence');
    expect(judgeAttempt({ ...ok, noSpeechProb: 0.9 }, s)).toBe('pass'); // confident speech over a likely no-speech
    expect(judgeAttempt({ ...ok, noSpeechProb: 0.5, avgLogprob: -1.3 }, s)).toBe('fallback');
  });

  it('keeps the most confident attempt when every temperature failed', () => {
    const attempts = [
      { ...ok, repetitive: true, avgLogprob: -0.2, temperature: 0 },
      { ...ok, avgLogprob: -1.6, temperature: 0.2 },
      { ...ok, avgLogprob: -1.1, temperature: 0.4 },
    ];
    expect(bestAttempt(attempts)?.temperature).toBe(0);
    expect(bestAttempt([])).toBeUndefined();
  });
});

describe('token choice', () => {
  const logits = Float32Array.from([0, 1, 3, 2, Number.NEGATIVE_INFINITY]);
  const logSoftmax = (i: number) => logits[i]! - Math.log([...logits].reduce((sum, l) => sum + Math.exp(l), 0));

  it('greedy picks the top logit and reports its log-softmax (binned tail: within 0.01)', () => {
    const choice = greedyToken(logits);
    expect(choice.token).toBe(2);
    expect(Math.abs(choice.logprob - logSoftmax(2))).toBeLessThan(0.01);
  });

  it("stays within 0.002 of the exact log-softmax over a whole vocabulary's logits, flat or peaked", () => {
    const random = seededRandom(3);
    for (const spread of [1, 4, 8]) {
      const row = Float32Array.from({ length: 51_865 }, () => spread * Math.sqrt(-2 * Math.log(random() + 1e-12)) * Math.cos(2 * Math.PI * random()));
      row[5] = Math.max(...row) + 3 * (spread - 1);
      const max = Math.max(...row);
      const exact = row[5]! - max - Math.log(row.reduce((sum, l) => sum + Math.exp(l - max), 0));
      expect(greedyToken(row).token).toBe(5);
      expect(Math.abs(greedyToken(row).logprob - exact)).toBeLessThan(0.002);
    }
  });

  it('samples by temperature with a seeded RNG: reproducible, every token possible, none suppressed', () => {
    const draw = (seed: number) => {
      const random = seededRandom(seed);
      return Array.from({ length: 2000 }, () => sampleToken(logits, 1, random));
    };
    const first = draw(7);
    expect(draw(7)).toEqual(first);
    const counts = [0, 0, 0, 0, 0];
    for (const { token, logprob } of first) {
      counts[token]!++;
      expect(logprob).toBeCloseTo(logSoftmax(token), 5);
    }
    expect(counts[4]).toBe(0);
    // softmax([0, 1, 3, 2]) = 0.032, 0.087, 0.644, 0.237
    expect(counts[2]! / 2000).toBeGreaterThan(0.58);
    expect(counts[2]! / 2000).toBeLessThan(0.7);
    expect(counts[0]).toBeGreaterThan(20);
    expect(sampleToken(logits, 0, seededRandom(1)).token).toBe(2);
  });
});
