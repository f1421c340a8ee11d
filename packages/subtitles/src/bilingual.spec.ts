import type { Segment } from '@babelfish/core';
import { bilingualText, pairBilingualCues } from './bilingual';
import { bilingualTrackQuality } from './quality';
import { languageRules } from './rules';

describe('bilingual cues', () => {
  const en = languageRules('en');
  const es = languageRules('es');

  it('puts each source cue above the translation cue it overlaps most, gaps going to the nearest', () => {
    const source: Segment[] = [
      { start: 0, end: 2, text: 'And so, my fellow Americans,' },
      { start: 2.1, end: 3.9, text: 'ask not' },
      { start: 4.5, end: 6, text: 'what your country can do for you.' },
      { start: 9, end: 9.5, text: 'Thank you.' },
    ];
    const translation: Segment[] = [
      { start: 0, end: 4, text: 'Y así, mis compatriotas,\nno pregunten' },
      { start: 4.4, end: 6.2, text: 'qué puede hacer su país por ustedes.' },
    ];
    const cues = pairBilingualCues(source, translation, en, 'en');
    expect(cues).toEqual([
      // Two short source cues share one translation cue: laid out again in at most two lines.
      { start: 0, end: 4, source: 'And so, my fellow Americans, ask not', text: 'Y así, mis compatriotas,\nno pregunten' },
      // "Thank you." overlaps nothing: it joins the nearest cue in time.
      { start: 4.4, end: 6.2, source: 'what your country can do for you.\nThank you.', text: 'qué puede hacer su país por ustedes.' },
    ]);
    expect(bilingualText(cues[0]!)).toBe('And so, my fellow Americans, ask not\nY así, mis compatriotas,\nno pregunten');
    expect(bilingualText({ start: 0, end: 1, source: '', text: 'Hola.' })).toBe('Hola.');
  });

  it('checks each part by its own rules: 2 + 2 lines are fine, 3 source lines or a long source line are not, reading speed counts the translation only', () => {
    const fourLines = { start: 0, end: 4, source: 'We choose to go to the moon\nin this decade', text: 'Elegimos ir a la Luna\nen esta década' };
    const threeSourceLines = { start: 5, end: 9, source: 'one\ntwo\nthree', text: 'uno dos tres' };
    const longSource = { start: 10, end: 14, source: 'x'.repeat(43), text: 'corto' };
    const quality = bilingualTrackQuality('es', [fourLines, threeSourceLines, longSource], { source: en, translation: es });
    expect(quality).toMatchObject({ language: 'es', kind: 'bilingual', cues: 3 });
    expect(quality.counts).toMatchObject({ lineCount: 1, lineLength: 1, cps: 0, empty: 0 });
    expect(quality.issues.map((issue) => issue.message)).toEqual(['Cue 2: has 3 source lines (max 2)', 'Cue 3: a source line has 43 characters (max 42)']);
  });
});
