import { cleanWordTimes, segmentWords, type TimedToken } from './segmenter';

/** Words spoken back to back, `seconds` each, starting at `start`. */
function timed(text: string, start = 0, seconds = 0.4): TimedToken[] {
  const at = (i: number): number => Math.round((start + i * seconds) * 1000) / 1000;
  return text.split(' ').map((word, i) => ({ text: ` ${word}`, start: at(i), end: at(i + 1) }));
}

describe('segmentWords', () => {
  it('ends a segment after each sentence and keeps word timings', () => {
    const segments = segmentWords([...timed('Hello there.', 0), ...timed('How are you?', 0.8)]);
    expect(segments.map((s) => s.text)).toEqual(['Hello there.', 'How are you?']);
    expect(segments[0]).toMatchObject({ start: 0, end: 0.8 });
    expect(segments[1]?.words).toEqual([
      { text: 'How', start: 0.8, end: 1.2 },
      { text: 'are', start: 1.2, end: 1.6 },
      { text: 'you?', start: 1.6, end: 2 },
    ]);
  });

  it('does not end a sentence at a title abbreviation', () => {
    expect(segmentWords(timed('Dr. Smith is here.')).map((s) => s.text)).toEqual(['Dr. Smith is here.']);
  });

  it('starts a new segment after a pause', () => {
    const segments = segmentWords([...timed('one two', 0), ...timed('three four', 2)]);
    expect(segments.map((s) => s.text)).toEqual(['one two', 'three four']);
  });

  it('splits an over-long sentence at the comma nearest the middle', () => {
    // 22 words × 0.4 s = 8.8 s: over the 7.5 s limit.
    const words = timed('And so my fellow Americans ask not what your country can do for you, ask what you can do for your country.');
    const segments = segmentWords(words);
    expect(segments.map((s) => s.text)).toEqual([
      'And so my fellow Americans ask not what your country can do for you,',
      'ask what you can do for your country.',
    ]);
  });

  it('splits text without punctuation into balanced pieces within the limits', () => {
    const words = timed(Array.from({ length: 40 }, (_, i) => `word${i}`).join(' '), 0, 0.3);
    const segments = segmentWords(words, { maxSeconds: 7, maxChars: 84, pauseSeconds: 0.8 });
    for (const segment of segments) {
      expect(segment.end - segment.start).toBeLessThanOrEqual(7);
      expect(segment.text.length).toBeLessThanOrEqual(84);
    }
    expect(segments.flatMap((s) => s.words ?? [])).toHaveLength(40);
  });

  it('joins words without spaces when Whisper emits none (Chinese, Japanese)', () => {
    const tokens = [
      { text: '你好', start: 0, end: 0.5 },
      { text: '世界。', start: 0.5, end: 1 },
    ];
    expect(segmentWords(tokens).map((s) => s.text)).toEqual(['你好世界。']);
  });
});

describe('cleanWordTimes', () => {
  it('clamps to the audio, never goes backwards and fixes missing ends', () => {
    const cleaned = cleanWordTimes(
      [
        { text: ' a', start: 0.5, end: 1 },
        { text: ' b', start: 0.4, end: 0.9 },
        { text: ' c', start: 10.2, end: Number.NaN },
        { text: ' d', start: 10.5, end: 13.5 },
      ],
      11,
    );
    expect(cleaned).toEqual([
      { text: ' a', start: 0.5, end: 1 },
      { text: ' b', start: 0.5, end: 0.9 },
      { text: ' c', start: 10.2, end: 10.2 },
      { text: ' d', start: 10.5, end: 11 },
    ]);
  });
});
