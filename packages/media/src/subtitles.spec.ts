import type { Segment } from '@babelfish/core';
import { formatTimestamp, parseSrt, parseWebVtt, toSrt, toWebVtt } from './subtitles';

const segments: Segment[] = [
  { start: 1.234, end: 3.5, text: 'And so, my fellow Americans,' },
  { start: 3.5, end: 3.5, text: '   ' }, // empty: skipped, numbering continues without a gap
  { start: 3661.007, end: 3660, text: 'ask not <what> & why -->\n\n  second line ' },
];

describe('subtitle formats', () => {
  it('formats timestamps with the separator each format requires', () => {
    expect(formatTimestamp(1234, ',')).toBe('00:00:01,234');
    expect(formatTimestamp(1234, '.')).toBe('00:00:01.234');
    expect(formatTimestamp(3661007, ',')).toBe('01:01:01,007');
    expect(formatTimestamp(100 * 3600_000, '.')).toBe('100:00:00.000');
  });

  it('writes SRT cues numbered from 1, skipping empty text and clamping end after start', () => {
    expect(toSrt(segments)).toBe(
      [
        '1',
        '00:00:01,234 --> 00:00:03,500',
        'And so, my fellow Americans,',
        '',
        '2',
        '01:01:01,007 --> 01:01:01,008',
        // Shown as typed; word joiners make `<` and `-->` inert (no tag, no timing line).
        'ask not <\u2060what> & why --\u2060>',
        'second line',
        '',
      ].join('\n'),
    );
  });

  it('writes WebVTT with its header, dot separator and escaped markup characters', () => {
    const vtt = toWebVtt(segments);
    expect(vtt.startsWith('WEBVTT\n\n1\n00:00:01.234 --> 00:00:03.500\n')).toBe(true);
    expect(vtt).toContain('2\n01:01:01.007 --> 01:01:01.008\nask not &lt;what&gt; &amp; why --&gt;\nsecond line\n');
    expect(vtt).not.toContain('<what>');
  });

  it('round-trips SRT and WebVTT to the millisecond', () => {
    const expected = [
      { start: 1.234, end: 3.5, text: 'And so, my fellow Americans,' },
      { start: 3661.007, end: 3661.008, text: 'ask not <what> & why -->\nsecond line' },
    ];
    expect(parseSrt(toSrt(segments))).toEqual(expected);
    expect(parseWebVtt(toWebVtt(segments))).toEqual(expected);
  });

  it('reads files written by other tools: BOM, CRLF, short VTT times, settings and NOTE blocks', () => {
    const srt = '\uFEFF1\r\n00:00:00,500 --> 00:00:02,000\r\nHola\r\n\r\n2\r\n00:00:02,000 --> 00:00:04,250\r\nmundo\r\n';
    expect(parseSrt(srt)).toEqual([
      { start: 0.5, end: 2, text: 'Hola' },
      { start: 2, end: 4.25, text: 'mundo' },
    ]);
    const vtt = 'WEBVTT - title\n\nNOTE a comment\n\nintro\n00:01.5 --> 00:03.000 align:start line:0\nBonjour &amp; salut\n';
    expect(parseWebVtt(vtt)).toEqual([{ start: 1.5, end: 3, text: 'Bonjour & salut' }]);
  });

  it('writes nothing but the header for no speech', () => {
    expect(toSrt([])).toBe('');
    expect(toWebVtt([{ start: 0, end: 1, text: '' }])).toBe('WEBVTT\n');
  });
});
