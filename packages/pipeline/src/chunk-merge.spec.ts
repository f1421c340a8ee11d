import type { TimedToken } from '@babelfish/ml';
import { mergeChunkWords } from './chunk-merge';

/** Words spoken one after another from `start`, 0.4 s each with 0.1 s between them. */
function speak(sentence: string, start: number): TimedToken[] {
  return sentence.split(' ').map((word, i) => ({ text: ` ${word}`, start: start + i * 0.5, end: start + i * 0.5 + 0.4 }));
}

const allWords = (segments: { words?: { text: string }[] }[]) => segments.flatMap((segment) => segment.words?.map((word) => word.text) ?? []);

describe('mergeChunkWords', () => {
  it('keeps every word of every chunk exactly once, in order, with continuous recording times', () => {
    // Chunk 1 covers 0–60 s, chunk 2 60–120 s; the seam lies in the pause between the sentences.
    const first = speak('And so my fellow Americans, ask not what your country can do for you.', 55);
    const second = speak('Ask what you can do for your country.', 61);
    const segments = mergeChunkWords(
      [
        { startSeconds: 60, endSeconds: 120, words: second },
        { startSeconds: 0, endSeconds: 60, words: first },
      ],
      120,
    );
    const words = allWords(segments);
    expect(words.join(' ')).toBe('And so my fellow Americans, ask not what your country can do for you. Ask what you can do for your country.');
    expect(segments[0]!.start).toBe(55);
    expect(segments.at(-1)!.end).toBeCloseTo(61 + 7 * 0.5 + 0.4);
    for (const [i, segment] of segments.entries()) {
      if (i > 0) expect(segment.start).toBeGreaterThanOrEqual(segments[i - 1]!.end);
      // No subtitle straddles the seam.
      expect(segment.start >= 60 || segment.end <= 60).toBe(true);
    }
  });

  it('segments a sentence that crosses a seam as one, as if there were no seam', () => {
    const words = speak('We choose to go to the moon in this decade and do the other things.', 57);
    const cut = 4; // the seam falls between "go" (ends 58.9) and "to" (starts 59.0)
    const merged = mergeChunkWords(
      [
        { startSeconds: 0, endSeconds: 58.95, words: words.slice(0, cut) },
        { startSeconds: 58.95, endSeconds: 120, words: words.slice(cut) },
      ],
      120,
    );
    const whole = mergeChunkWords([{ startSeconds: 0, endSeconds: 120, words }], 120);
    expect(merged).toEqual(whole);
  });

  it('keeps a word heard on both sides of a seam once, and pulls times that run past a chunk back into it', () => {
    const first = [...speak('ask not what', 57), { text: ' your', start: 58.9, end: 60.6 }];
    const second = [{ text: ' your', start: 60.05, end: 60.4 }, ...speak('country can do', 60.5)];
    const segments = mergeChunkWords(
      [
        { startSeconds: 0, endSeconds: 60, words: first },
        { startSeconds: 60, endSeconds: 120, words: second },
      ],
      120,
    );
    expect(allWords(segments)).toEqual(['ask', 'not', 'what', 'your', 'country', 'can', 'do']);
    const your = segments.flatMap((segment) => segment.words ?? []).find((word) => word.text === 'your')!;
    expect(your.end).toBeLessThanOrEqual(60);
  });

  it('gives an empty transcript for chunks without words', () => {
    expect(mergeChunkWords([{ startSeconds: 0, endSeconds: 30, words: [] }], 30)).toEqual([]);
  });
});
