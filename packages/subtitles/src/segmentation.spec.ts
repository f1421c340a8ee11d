import type { Segment } from '@babelfish/core';
import { segmentTrack, segmentTranslation } from './build-cues';
import { checkCues } from './quality';
import { defaultSubtitleRules as rules } from './rules';
import { groupSentences, sentencesFromSegments } from './sentences';
import { insideName, type TimedToken } from './text';
import { spreadText, speechIntervals, timeAt } from './timeline';

/** Whisper's real word timings for jfk.mp4 (whisper-base): two segments, one sentence. */
const jfkWords: [string, number, number][] = [
  ['And', 0.52, 0.84], ['so', 0.84, 1.18], ['my', 1.18, 1.56], ['fellow', 1.56, 2.1], ['Americans', 2.1, 3.72], ['ask', 3.72, 4.22],
  ['not', 4.22, 5.52], ['what', 5.52, 5.76], ['your', 5.76, 6.22], ['country', 6.22, 6.62], ['can', 6.62, 6.84], ['do', 6.84, 7.06],
  ['for', 7.06, 7.34], ['you,', 7.34, 7.76], ['ask', 8.46, 8.74], ['what', 8.74, 9.02], ['you', 9.02, 9.34], ['can', 9.34, 9.56],
  ['do', 9.56, 9.78], ['for', 9.78, 9.94], ['your', 9.94, 10.34], ['country.', 10.34, 10.88],
];
const words = jfkWords.map(([text, start, end]) => ({ text, start, end }));
const jfk: Segment[] = [
  { start: 0.52, end: 7.76, text: 'And so my fellow Americans ask not what your country can do for you,', words: words.slice(0, 14) },
  { start: 8.46, end: 10.88, text: 'ask what you can do for your country.', words: words.slice(14) },
];

const zero = { empty: 0, lineLength: 0, lineCount: 0, cps: 0, duration: 0, gap: 0, overlap: 0 };
const text = (cues: Segment[]) => cues.map((cue) => cue.text.replace(/\n/g, ' ')).join(' ');

describe('sentences', () => {
  it('joins ASR segments that cut a sentence and splits at sentence ends inside a segment', () => {
    const sentences = sentencesFromSegments(
      [
        { start: 0, end: 2, text: 'Aunque todos me digan que es una locura,' },
        { start: 2.2, end: 5, text: 'yo sé que puedo. Dr. Pérez lo sabe.' },
      ],
      'es',
    );
    expect(sentences.map((sentence) => sentence.text)).toEqual(['Aunque todos me digan que es una locura, yo sé que puedo.', 'Dr. Pérez lo sabe.']);
    expect(sentences[0]).toMatchObject({ start: 0 });
    expect(sentencesFromSegments(jfk, 'en')).toHaveLength(1);
  });

  it('ends an unpunctuated sentence at a long silence', () => {
    const tokens: TimedToken[] = [{ text: 'hello', start: 0, end: 0.5 }, { text: 'there', start: 0.5, end: 1 }, { text: 'again', start: 4, end: 4.5 }];
    expect(groupSentences(tokens, ' ').map((sentence) => sentence.text)).toEqual(['hello there', 'again']);
  });
});

describe('timeline', () => {
  it('measures time through speech only, skipping pauses', () => {
    const intervals = speechIntervals([{ text: 'a', start: 0, end: 1 }, { text: 'b', start: 1.1, end: 2 }, { text: 'c', start: 5, end: 6 }]);
    expect(intervals).toEqual([{ start: 0, end: 2 }, { start: 5, end: 6 }]);
    expect(timeAt(intervals, 0.5)).toBeCloseTo(1.5);
    expect(timeAt(intervals, 0.9)).toBeCloseTo(5.7);
    const spread = spreadText('uno dos tres', intervals, ' ');
    expect(spread.map((token) => token.text)).toEqual(['uno', 'dos', 'tres']);
    expect(spread[0]?.start).toBe(0);
    expect(spread.at(-1)?.end).toBe(6);
  });
});

describe('segmentTrack (source, timed by Whisper words)', () => {
  const cues = segmentTrack(jfk, rules, { language: 'en', mediaDuration: 11.6 });

  it('meets every rule and keeps every word in order', () => {
    expect(checkCues(cues, rules).counts).toEqual(zero);
    expect(text(cues)).toBe('And so my fellow Americans ask not what your country can do for you, ask what you can do for your country.');
  });

  it('cuts where the speaker pauses or a clause ends, and starts each cue with its first word', () => {
    expect(cues.length).toBeGreaterThanOrEqual(2);
    expect(cues.some((cue) => cue.text.endsWith('you,'))).toBe(true); // the comma + 0.7 s pause is a cut
    expect(cues[0]?.start).toBe(0.52);
    expect(cues.find((cue) => cue.text.startsWith('ask what'))?.start).toBe(8.46);
  });

  it('never ends a cue or line inside a name', () => {
    const named: Segment[] = [
      { start: 0, end: 6, text: 'Yesterday the climbers from New Zealand reached the summit of Mount Everest without any oxygen at all.' },
    ];
    const out = segmentTrack(named, rules, { language: 'en' });
    const pieces = out.flatMap((cue) => cue.text.split('\n'));
    for (let i = 1; i < pieces.length; i++) {
      expect(insideName(pieces[i - 1]!.split(' ').at(-1)!, pieces[i]!.split(' ')[0]!)).toBe(false);
    }
    expect(checkCues(out, rules).counts).toEqual(zero);
  });

  it('splits long unpunctuated speech into cues of at most 7 s and 2 × 42 characters', () => {
    const long = Array.from({ length: 60 }, (_, i) => `word${i}`);
    const segment: Segment = { start: 0, end: 30, text: long.join(' ') };
    const out = segmentTrack([segment], rules, { language: 'en', mediaDuration: 31 });
    expect(checkCues(out, rules).counts).toEqual(zero);
    expect(text(out)).toBe(long.join(' '));
  });

  it('merges a cue too short to read with its neighbour instead of flashing it', () => {
    const quick: Segment[] = [
      { start: 0, end: 0.3, text: 'Ah.' },
      { start: 0.4, end: 2.5, text: 'I know I can do it.' },
      { start: 2.6, end: 2.9, text: 'Yes.' },
    ];
    const out = segmentTrack(quick, rules, { language: 'en', mediaDuration: 3.5 });
    expect(checkCues(out, rules).counts).toEqual(zero);
    expect(out.length).toBeLessThan(3);
    expect(out[0]?.text).toMatch(/^Ah\./);
  });
});

describe('segmentTranslation (whole sentences laid over the source speech)', () => {
  const sentences = sentencesFromSegments(jfk, 'en');
  const spanish = ['Y así, mis compatriotas americanos, no pregunten qué puede hacer su país por ustedes, pregunten qué pueden hacer ustedes por su país.'];
  const cues = segmentTranslation(sentences, spanish, rules, { language: 'es', mediaDuration: 11.6 });

  it('meets every rule, keeps the whole translation and stays within the speech', () => {
    expect(checkCues(cues, rules).counts).toEqual(zero);
    expect(text(cues)).toBe(spanish[0]);
    expect(cues[0]!.start).toBeGreaterThanOrEqual(0.52);
    expect(cues.at(-1)!.end).toBeLessThanOrEqual(11.6);
  });

  it('skips the source pause: no cue starts inside the silence between 7.76 s and 8.46 s', () => {
    for (const cue of cues) expect(cue.start <= 7.76 || cue.start >= 8.46).toBe(true);
  });

  it('keeps glossary phrases whole', () => {
    const out = segmentTranslation(sentences, ['Y así, mis compatriotas de la gran nación americana, no pregunten qué puede hacer la gran nación americana por ustedes.'], rules, {
      language: 'es',
      keepTogether: ['gran nación americana'],
    });
    const lines = out.flatMap((cue) => cue.text.split('\n'));
    expect(lines.filter((line) => /nación/.test(line)).every((line) => line.includes('gran nación americana'))).toBe(true);
    expect(lines.filter((line) => /nación/.test(line))).toHaveLength(2);
  });
});

describe('segmentTrack joins Whisper words as written', () => {
  // Words exactly as the whisper-base tokenizer groups them (leading spaces trimmed when stored).
  const emitted: [string, number, number][] = [
    ['He', 0, 0.2], ['was', 0.2, 0.4], ['ill', 0.4, 0.6], ['-disposed,', 0.6, 1.2], ['and', 1.3, 1.4], ['I', 1.4, 1.5], ["don't", 1.5, 1.8],
    ['think', 1.8, 2.1], ["it's", 2.1, 2.3], ["John's", 2.3, 2.7], ['(fault', 2.7, 3.1], [')...', 3.1, 3.2], ['Well', 3.6, 3.8], ['-known', 3.8, 4.1],
    ['"quotes', 4.1, 4.5], ['"', 4.5, 4.5], [',', 4.5, 4.5], ['right?', 4.5, 5],
  ];
  const spoken = 'He was ill-disposed, and I don\'t think it\'s John\'s (fault)... Well-known "quotes", right?';
  const segments: Segment[] = [{ start: 0, end: 5, text: spoken, words: emitted.map(([text, start, end]) => ({ text, start, end })) }];

  it('glues a hyphen, a closing bracket or a lone comma to the word before, as the text has them', () => {
    const cues = segmentTrack(segments, rules, { language: 'en', mediaDuration: 6 });
    expect(text(cues)).toBe(spoken);
    expect(text(cues)).toContain('ill-disposed,');
    expect(text(cues)).not.toMatch(/ -| \)| ,/);
  });

  it('the glued word spans both parts in time', () => {
    const [sentence] = sentencesFromSegments(segments, 'en');
    const ill = sentence!.tokens.find((token) => token.text.startsWith('ill'));
    expect(ill).toEqual({ text: 'ill-disposed,', start: 0.4, end: 1.2 });
  });
});
