import { coveredUntil } from './transcriber';
import { nextToken } from './whisper-rules';
import type { WhisperVocabulary } from './whisper-runtime';

/** A toy vocabulary: text 0–9, end-of-text 10, no-timestamps 11, timestamps from 12 (0.00 s, 0.02 s, …). */
const vocab: WhisperVocabulary = {
  startOfTranscript: 20, endOfText: 10, noTimestamps: 11, timestampBegin: 12,
  task: { transcribe: 21, translate: 22 }, suppress: [3], beginSuppress: [10],
  maxLength: 448, alignmentHeads: [], decoderLayers: 1, decoderHeads: 1, headSize: 1,
};
const logits = (favourite: number, size = 200) => Float32Array.from({ length: size }, (_, i) => (i === favourite ? 5 : 0));

describe('Whisper decoding rules', () => {
  it('starts with an early timestamp', () => {
    expect(nextToken(logits(4), [], vocab)).toBeGreaterThanOrEqual(12);
    expect(nextToken(logits(12 + 100), [], vocab)).toBeLessThanOrEqual(12 + 50); // not after 1.0 s
  });

  it('never picks a suppressed token or <|notimestamps|>', () => {
    expect(nextToken(logits(3), [12, 5], vocab)).not.toBe(3);
    expect(nextToken(logits(11), [12, 5], vocab)).not.toBe(11);
  });

  it('pairs timestamps: after text + timestamp comes a timestamp or the end; after a pair, text', () => {
    expect(nextToken(logits(4), [12, 5, 40], vocab)).not.toBe(4);
    const afterPair = nextToken(logits(45), [12, 5, 40, 40], vocab);
    expect(afterPair).toBeLessThan(12);
  });

  it('never goes back in time', () => {
    expect(nextToken(logits(30), [12, 5, 40], vocab)).toBeGreaterThanOrEqual(40);
  });
});

describe('coveredUntil', () => {
  const eot = 10;
  it('is the last timestamp of a closed final segment, else the last segment boundary', () => {
    expect(coveredUntil([12, 5, 6, 62, eot], 12, eot)).toBeCloseTo(1.0);
    // Ends inside an open segment: only up to the boundary before it.
    expect(coveredUntil([12, 5, 62, 62, 7, 8, eot], 12, eot)).toBeCloseTo(1.0);
    expect(coveredUntil([12, 5, 62, 62, eot], 12, eot)).toBeCloseTo(1.0);
    expect(coveredUntil([12, eot], 12, eot)).toBe(0);
  });
});
