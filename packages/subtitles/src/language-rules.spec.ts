import type { Segment } from '@babelfish/core';
import { segmentTranslation } from './build-cues';
import { breakLines } from './line-break';
import { normalizeCues } from './normalize-cues';
import { checkCues, trackQuality } from './quality';
import { defaultSubtitleRules, languageRules, resolveRules } from './rules';
import { sentencesFromSegments } from './sentences';
import { joinerFor, readingLength, visibleLength } from './text';

/** Line layout with a language's own rules, as the segmenter calls it. */
const layout = (text: string, language: string) => {
  const rules = resolveRules({}, language);
  return breakLines(text, { maxCharsPerLine: rules.maxCharsPerLine, maxLines: rules.maxLines, joiner: joinerFor(language), fullWidthUnits: rules.fullWidthUnits })?.lines;
};
const width = (line: string, language: string) => visibleLength(line, resolveRules({}, language).fullWidthUnits);
const startsWithClosing = /^[。、，！？）」』”・ー]/u;
const endsWithOpening = /[（「『“]$/u;

describe('per-language rules', () => {
  it('uses broadcast defaults per script and language', () => {
    const pick = (language?: string) => {
      const rules = resolveRules({}, language);
      return [rules.maxCharsPerLine, rules.maxCharsPerSecond, rules.fullWidthUnits ?? false];
    };
    expect(pick()).toEqual([42, 17, false]);
    expect(pick('en')).toEqual([42, 20, false]);
    for (const language of ['es', 'fr', 'ru', 'el', 'ar', 'he']) expect(pick(language)).toEqual([42, 17, false]);
    expect(pick('zh')).toEqual([16, 9, true]);
    expect(pick('zh-Hant')).toEqual([16, 9, true]);
    expect(pick('ja')).toEqual([13, 4, true]);
    expect(pick('ko')).toEqual([16, 12, true]);
    expect(languageRules()).toEqual(defaultSubtitleRules);
  });

  it("lets the job's subtitleRules override the language's defaults", () => {
    const rules = resolveRules({ maxCharsPerSecond: 10 }, 'ja');
    expect([rules.maxCharsPerLine, rules.maxCharsPerSecond, rules.fullWidthUnits]).toEqual([13, 10, true]);
    expect(resolveRules({ maxCharsPerLine: 37 }, 'en').maxCharsPerLine).toBe(37);
    expect(() => resolveRules({ fullWidthUnits: true }, 'en')).toThrow(/not a rule/);
    // Valid on the broadcast defaults, so accepted at submission: Japanese reads faster rather than fail the job.
    const wide = resolveRules({ maxCharsPerLine: 30 }, 'ja');
    expect([wide.maxCharsPerLine, wide.maxCharsPerSecond]).toEqual([30, 8.8]); // 61 characters in 7 s
    expect(() => resolveRules({ maxCharsPerLine: 80, maxCharsPerSecond: 8 }, 'ja')).toThrow(/cannot be read/);
  });

  it('counts full-width characters as one and half-width ones as half under CJK rules', () => {
    expect(visibleLength('東京タワー', true)).toBe(5);
    expect(visibleLength('iPhone 15を買いました。', true)).toBe(11.5); // 9 half-width + 7 full-width
    expect(visibleLength('ｶﾀｶﾅ', true)).toBe(2); // half-width katakana
    expect(visibleLength('안녕하세요 여러분', true)).toBe(8.5);
    expect(visibleLength('iPhone 15を買いました。')).toBe(16); // code points elsewhere
    expect(readingLength('今日は\n晴れ', true)).toBe(5.5); // the line break reads as a half-width space
  });
});

describe('CJK line breaking', () => {
  it('Chinese: breaks after a comma, never before punctuation, within 16 characters', () => {
    const text = '我们选择登月，不是因为它容易，而是因为它困难。';
    const lines = layout(text, 'zh')!;
    expect(lines.length).toBe(2);
    expect(lines.join('')).toBe(text);
    expect(lines[0]).toMatch(/，$/u);
    for (const line of lines) {
      expect(width(line, 'zh')).toBeLessThanOrEqual(16);
      expect(line).not.toMatch(startsWithClosing);
      expect(line).not.toContain(' ');
    }
  });

  it('Chinese without punctuation: breaks between two characters', () => {
    const text = '人类的一小步是人类文明发展历史上的一大步';
    const lines = layout(text, 'zh')!;
    expect(lines.join('')).toBe(text);
    expect(lines.length).toBe(2);
    for (const line of lines) expect(width(line, 'zh')).toBeLessThanOrEqual(16);
  });

  it('Japanese: 13 characters a line, quotes and brackets kept with their text (kinsoku)', () => {
    const text = '「ありがとう」と彼は静かに言いました。';
    const lines = layout(text, 'ja')!;
    expect(lines.join('')).toBe(text);
    expect(lines.length).toBe(2);
    for (const line of lines) {
      expect(width(line, 'ja')).toBeLessThanOrEqual(13);
      expect(line).not.toMatch(startsWithClosing);
      expect(line).not.toMatch(endsWithOpening);
    }
    // Small kana and the prolonged sound mark never start a line either.
    for (const line of layout('ちょっとコーヒーショップでチョコレートケーキを', 'ja')!) expect(line).not.toMatch(/^[ょっゃゅーョッャュ]/u);
  });

  it('Japanese: half-width Latin counts half, and a Latin word is never split', () => {
    expect(layout('iPhone 15を買いました。', 'ja')).toEqual(['iPhone 15を買いました。']); // 11.5 ≤ 13
    const lines = layout('昨日はMicrosoftのオフィスで会議をしました。', 'ja')!;
    expect(lines.some((line) => line.includes('Microsoft'))).toBe(true);
    for (const line of lines) expect(width(line, 'ja')).toBeLessThanOrEqual(13);
  });

  it('Korean: breaks at spaces between words, within 16 characters', () => {
    const text = '우리는 달에 가기로 했습니다 그것이 쉽기 때문입니다.';
    const lines = layout(text, 'ko')!;
    expect(lines.join(' ')).toBe(text);
    expect(lines.length).toBe(2);
    const words = new Set(text.split(' '));
    for (const line of lines) {
      expect(width(line, 'ko')).toBeLessThanOrEqual(16);
      for (const word of line.split(' ')) expect(words.has(word)).toBe(true);
    }
  });
});

describe('each track checked and normalised to its own language', () => {
  it('a 14-character Japanese line breaks the Japanese rules only', () => {
    const cues: Segment[] = [{ start: 0, end: 4, text: '東京は日本の首都で人口が多い' }];
    expect(trackQuality('ja', 'translation', cues, resolveRules({}, 'ja')).counts.lineLength).toBe(1);
    expect(checkCues(cues, resolveRules({}, 'zh')).counts.lineLength).toBe(0);
    expect(trackQuality('ja', 'translation', cues, resolveRules({}, 'ja')).rules?.maxCharsPerLine).toBe(13);
  });

  it('English reads at 20 characters a second, Spanish at 17', () => {
    const cues: Segment[] = [{ start: 0, end: 2, text: 'And so my fellow Americans, ask' }]; // 31 chars / 2 s = 15.5 cps
    const fast: Segment[] = [{ start: 0, end: 2, text: 'And so my fellow Americans, ask not' }]; // 35 / 2 = 17.5
    expect(checkCues(cues, resolveRules({}, 'en')).counts.cps).toBe(0);
    expect(checkCues(fast, resolveRules({}, 'en')).counts.cps).toBe(0);
    expect(checkCues(fast, resolveRules({}, 'es')).counts.cps).toBe(1);
  });

  it('the normaliser gives a Japanese cue its reading time at 4 characters a second', () => {
    const cues: Segment[] = [{ start: 0, end: 1, text: 'ありがとうございます' }]; // 10 characters → 2.5 s
    expect(normalizeCues(cues, resolveRules({}, 'ja'), 10)).toEqual([{ start: 0, end: 2.5, text: 'ありがとうございます' }]);
    expect(normalizeCues(cues, resolveRules({}, 'en'), 10)).toEqual([{ start: 0, end: 1, text: 'ありがとうございます' }]);
  });
});

describe('a Chinese and a Japanese translation cut to their own rules', () => {
  // JFK's sentence as Whisper timed it (jfk.mp4: spoken 0.52–7.76 s and 8.46–10.88 s).
  const source: Segment[] = [
    { start: 0.52, end: 7.76, text: 'And so my fellow Americans ask not what your country can do for you,' },
    { start: 8.46, end: 10.88, text: 'ask what you can do for your country.' },
  ];
  const sentences = sentencesFromSegments(source, 'en');

  it.each([
    ['zh', '所以，我的美国同胞们，不要问国家能为你们做什么，而要问你们能为国家做什么。'],
    ['ja', 'だから、アメリカ国民の皆さん、国が何をしてくれるかではなく、国のために何ができるかを問うてください。'],
  ])('%s: every rule of the language holds, no line starts with closing punctuation', (language, translation) => {
    const rules = resolveRules({}, language);
    const cues = segmentTranslation(sentences, [translation], rules, { language, mediaDuration: 40 });
    const { counts } = checkCues(normalizeCues(cues, rules, 40), rules, 40);
    expect(counts).toMatchObject({ lineLength: 0, lineCount: 0, empty: 0, overlap: 0, gap: 0 });
    expect(cues.map((cue) => cue.text.replace(/\n/g, '')).join('')).toBe(translation);
    for (const line of cues.flatMap((cue) => cue.text.split('\n'))) {
      expect(line).not.toMatch(startsWithClosing);
      expect(line).not.toMatch(endsWithOpening);
      expect(width(line, language)).toBeLessThanOrEqual(rules.maxCharsPerLine);
    }
  });
});
