import { nextToken } from './whisper-rules';
import type { WhisperVocabulary } from './whisper-runtime';

/** A toy vocabulary: text 0–9, end-of-text 10, no-timestamps 11, timestamps from 12. */
const vocab: WhisperVocabulary = {
  startOfTranscript: 20, endOfText: 10, noTimestamps: 11, timestampBegin: 12,
  task: { transcribe: 21, translate: 22 }, suppress: [3], beginSuppress: [10, 5],
  maxLength: 448, alignmentHeads: [], decoderLayers: 1, decoderHeads: 1, headSize: 1,
};
const logits = (favourite: number, second = 4) => Float32Array.from({ length: 200 }, (_, i) => (i === favourite ? 5 : i === second ? 4 : 0));

describe('Whisper decoding rules', () => {
  it('picks the likeliest allowed token', () => {
    expect(nextToken(logits(7), [6], vocab)).toBe(7);
  });

  it('never picks a suppressed token, a timestamp or <|notimestamps|>', () => {
    expect(nextToken(logits(3), [6], vocab)).toBe(4);
    expect(nextToken(logits(40), [6], vocab)).toBe(4);
    expect(nextToken(logits(11), [6], vocab)).toBe(4);
  });

  it('does not start with a blank or end-of-text, but may end with it later', () => {
    expect(nextToken(logits(10), [], vocab)).toBe(4);
    expect(nextToken(logits(5, 6), [], vocab)).toBe(6);
    expect(nextToken(logits(10), [6, 7], vocab)).toBe(10);
  });
});
