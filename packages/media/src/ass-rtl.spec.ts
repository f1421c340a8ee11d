import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assFontFor, assText, isRightToLeft, toAss } from './ass';
import { escapeFilterValue } from './burn-in';

/** Right-to-left lines in ASS, rendered by ffmpeg's libass the way burn-in renders them. */
const dir = mkdtempSync(join(tmpdir(), 'babelfish-rtl-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** One 1280 × 720 grey frame with the ASS file's first cue drawn by libass on black. */
function render(name: string, ass: string): Buffer {
  const file = join(dir, `${name}.ass`);
  writeFileSync(file, ass, 'utf8');
  return execFileSync(
    'ffmpeg',
    ['-v', 'error', '-f', 'lavfi', '-i', 'color=c=black:s=1280x720:d=1', '-vf', `subtitles=filename=${escapeFilterValue(file)}`, '-frames:v', '1', '-pix_fmt', 'gray', '-f', 'rawvideo', '-'],
    { maxBuffer: 1 << 24 },
  );
}

const WIDTH = 1280;

/**
 * How tall the ink is at each end of the line (rows with text pixels among the 6 outermost
 * columns): a final "." is a dot, a letter is much taller.
 */
function edgeHeights(frame: Buffer): { left: number; right: number; pixels: number } {
  const ink = (i: number) => frame[i]! >= 128;
  const columns: number[] = [];
  let pixels = 0;
  for (let i = 0; i < frame.length; i++) {
    if (!ink(i)) continue;
    pixels += 1;
    columns.push(i % WIDTH);
  }
  const first = Math.min(...columns);
  const last = Math.max(...columns);
  const rowsWithInk = (from: number, to: number) => {
    const rows = new Set<number>();
    for (let i = 0; i < frame.length; i++) if (ink(i) && i % WIDTH >= from && i % WIDTH <= to) rows.add(Math.floor(i / WIDTH));
    return rows.size;
  };
  return { left: rowsWithInk(first, first + 5), right: rowsWithInk(last - 5, last), pixels };
}

describe('right-to-left subtitles in ASS', () => {
  it('knows which languages are written right to left and picks fonts for them', () => {
    expect(['ar', 'he', 'fa', 'he-IL'].map(isRightToLeft)).toEqual([true, true, true, true]);
    expect(['en', 'es', 'zh', undefined].map(isRightToLeft)).toEqual([false, false, false, false]);
    expect(assFontFor('he')).toBe('Noto Sans Hebrew');
    expect(assFontFor('ar')).toBe('Noto Sans Arabic');
  });

  it('embeds each line right to left', () => {
    expect(assText('שלום.\nמה שלומך?', true)).toBe('\u202Bשלום.\u202C\\N\u202Bמה שלומך?\u202C');
    expect(assText('Hello.', false)).toBe('Hello.');
    const ass = toAss([{ start: 0, end: 1, text: 'مرحبا بكم.' }], { language: 'ar', width: 1280, height: 720 });
    expect(ass).toMatch(/^Style: Default,Noto Sans Arabic,/m);
    expect(ass).toContain('Dialogue: 0,0:00:00.00,0:00:01.00,Default,,0,0,0,,\u202Bمرحبا بكم.\u202C');
  });

  it('libass draws Arabic and Hebrew, the embedding moving the final period to the left end', () => {
    for (const [language, text] of [['ar', 'مرحبا بكم جميعا.'], ['he', 'שלום לכולם.']] as const) {
      const ass = toAss([{ start: 0, end: 1, text }], { language, width: 1280, height: 720 });
      const rtl = render(`${language}-rtl`, ass);
      // Without the embedding, libass's left-to-right base puts the "." on the right.
      const plain = render(`${language}-ltr`, ass.replace(/[\u202B\u202C]/g, ''));
      expect(edgeHeights(rtl).pixels).toBeGreaterThan(200);
      expect(edgeHeights(plain).pixels).toBeGreaterThan(200);
      expect(rtl.equals(plain)).toBe(false);
      if (language === 'he') {
        // A dot at the left end and the tall ש at the right; the other way round without it.
        expect(edgeHeights(rtl).left).toBeLessThan(edgeHeights(rtl).right);
        expect(edgeHeights(plain).right).toBeLessThan(edgeHeights(plain).left);
      }
    }
  });
});
