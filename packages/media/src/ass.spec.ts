import { assFontFor, assText, formatAssTime, toAss, toBilingualAss } from './ass';

describe('toAss', () => {
  const ass = toAss(
    [
      { start: 0.52, end: 5.525, text: 'And so, my fellow Americans,\nask not' },
      { start: 6, end: 6, text: 'ends before it starts' },
      { start: 7, end: 8, text: '   ' },
    ],
    { width: 320, height: 240, language: 'es', title: 'jfk\n(es)' },
  );
  const lines = ass.split('\n');

  it('writes a complete script with one readable default style sized to the picture', () => {
    expect(lines.slice(0, 5)).toEqual(['[Script Info]', '; Written by Babelfish', 'Title: jfk (es)', 'Language: es', 'ScriptType: v4.00+']);
    // 4:3 picture → 1440 × 1080 script units, so cues scale with the video.
    expect(lines).toEqual(expect.arrayContaining(['PlayResX: 1440', 'PlayResY: 1080', 'ScaledBorderAndShadow: yes', '[V4+ Styles]', '[Events]']));
    const style = lines.find((line) => line.startsWith('Style: '))!.slice(7).split(',');
    const format = lines.find((line) => line.startsWith('Format: Name'))!.slice(8).split(', ');
    const field = (name: string) => style[format.indexOf(name)];
    expect(style).toHaveLength(format.length);
    expect(field('Fontname')).toBe('Noto Sans');
    expect(Number(field('Fontsize'))).toBeGreaterThanOrEqual(48);
    expect(field('PrimaryColour')).toBe('&H00FFFFFF'); // white text…
    expect(field('OutlineColour')).toBe('&H00000000'); // …on a black outline
    expect(Number(field('Outline'))).toBeGreaterThanOrEqual(2);
    expect(field('Alignment')).toBe('2'); // bottom centre
  });

  it('writes one Dialogue per non-empty cue with centisecond times and \\N line breaks', () => {
    const dialogues = lines.filter((line) => line.startsWith('Dialogue:'));
    expect(dialogues).toEqual([
      'Dialogue: 0,0:00:00.52,0:00:05.53,Default,,0,0,0,,And so, my fellow Americans,\\Nask not',
      'Dialogue: 0,0:00:06.00,0:00:06.01,Default,,0,0,0,,ends before it starts',
    ]);
    expect(formatAssTime(3_723_456)).toBe('10:20:34.56');
  });

  it('keeps user text literal: braces cannot start override tags, backslashes cannot start commands', () => {
    expect(assText('{\\an8}moved? \\N no, C:\\new')).toBe('\\{\u2060\\\u2060an8\\}\u2060moved? \\\u2060N no, C:\\\u2060new');
    expect(assText('<i>so</i> <B>bold</B> <font color="red">x</font>')).toBe('{\\i1}so{\\i0} {\\b1}bold{\\b0} <font color="red">x</font>');
    expect(assText('line one\r\n\r\n  line two ')).toBe('line one\\Nline two');
  });

  it('rounds to centiseconds without shortening a cue or starting one before the previous ends', () => {
    const times = (script: string) =>
      script
        .split('\n')
        .filter((line) => line.startsWith('Dialogue:'))
        .map((line) => line.split(',').slice(1, 3).map((time) => { const [h, m, s] = time.split(':').map(Number); return Math.round((h! * 3600 + m! * 60 + s!) * 100); }));
    const cues = [
      { start: 0.005, end: 1.005, text: 'one' },
      { start: 1.005, end: 2.004, text: 'two, no gap' },
      { start: 2.087, end: 3.091, text: 'three' },
    ];
    const written = times(toAss(cues));
    expect(written).toEqual([[0, 101], [101, 201], [208, 310]]);
    written.forEach(([start, end], i) => {
      expect(end! - start!).toBeGreaterThanOrEqual(Math.floor((cues[i]!.end - cues[i]!.start) * 100));
      if (i > 0) expect(start).toBeGreaterThanOrEqual(written[i - 1]![1]!);
    });
  });

  it('picks a font family covering the script, with a 16:9 default picture', () => {
    expect(assFontFor('ja')).toBe('Noto Sans CJK JP');
    expect(assFontFor('ar')).toBe('Noto Sans Arabic');
    expect(assFontFor('ru')).toBe('Noto Sans');
    expect(toAss([], {})).toContain('PlayResX: 1920');
  });
});

describe('toBilingualAss', () => {
  const ass = toBilingualAss(
    [
      { start: 0.5, end: 3, source: 'We choose to go\nto the moon', text: 'Elegimos ir\na la Luna' },
      { start: 4, end: 5, source: '', text: 'Sin fuente' },
    ],
    { language: 'es', sourceLanguage: 'ar', title: 'jfk (en-es)' },
  );
  const lines = ass.split('\n');

  it('has a smaller, grey Source style beside the Default one, for the source language’s script', () => {
    const format = lines.find((line) => line.startsWith('Format: Name'))!.slice(8).split(', ');
    const style = (name: string) => lines.find((line) => line.startsWith(`Style: ${name},`))!.slice(7).split(',');
    const field = (name: string, key: string) => style(name)[format.indexOf(key)];
    expect(field('Source', 'Fontname')).toBe('Noto Sans Arabic');
    expect(Number(field('Source', 'Fontsize'))).toBe(Math.round(Number(field('Default', 'Fontsize')) * 0.75));
    expect(field('Source', 'PrimaryColour')).toBe('&H00C8C8C8');
  });

  it('writes the source lines in the Source style above the translation, and only the translation when there is no source', () => {
    expect(lines.filter((line) => line.startsWith('Dialogue:'))).toEqual([
      'Dialogue: 0,0:00:00.50,0:00:03.00,Default,,0,0,0,,{\\rSource}\u202BWe choose to go\u202C\\N\u202Bto the moon\u202C\\N{\\r}Elegimos ir\\Na la Luna',
      'Dialogue: 0,0:00:04.00,0:00:05.00,Default,,0,0,0,,Sin fuente',
    ]);
  });
});
