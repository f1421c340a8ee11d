import { checkCues } from './quality';
import { defaultSubtitleRules as rules } from './rules';
import { requiredSeconds, timeCues } from './timing';

describe('timeCues', () => {
  it('stretches a short cue to the minimum duration into the pause after it', () => {
    const [cue] = timeCues([{ start: 2, end: 2.3, text: 'Yes.' }], rules, 10);
    expect(cue).toEqual({ start: 2, end: expect.any(Number), text: 'Yes.' });
    expect(cue!.end - cue!.start).toBeGreaterThanOrEqual(1);
  });

  it('gives a dense cue its reading time (17 characters/s), borrowing the pause before it when the next cue is close', () => {
    const text = 'This line has exactly fifty-one characters in it!!!'; // 51 characters → 3 s
    const cues = timeCues(
      [
        { start: 0, end: 1, text: 'First.' },
        { start: 3, end: 5, text },
        { start: 5.1, end: 7, text: 'Next one here.' },
      ],
      rules,
    );
    expect(cues[1]!.end).toBeLessThanOrEqual(cues[2]!.start - rules.minGapSeconds);
    expect(cues[1]!.end - cues[1]!.start).toBeGreaterThanOrEqual(51 / 17);
    expect(cues[1]!.start).toBeLessThan(3); // started earlier, into the pause
    expect(checkCues(cues, rules).counts.cps).toBe(0);
  });

  it('delays the next cue only when there is no pause left to borrow', () => {
    const cues = timeCues(
      [
        { start: 0, end: 1, text: 'A fairly long line of text that needs time to read.' },
        { start: 1, end: 2, text: 'Then more.' },
      ],
      rules,
    );
    expect(cues[1]!.start).toBeGreaterThanOrEqual(cues[0]!.end + rules.minGapSeconds);
    expect(checkCues(cues, rules).counts).toMatchObject({ cps: 0, gap: 0, overlap: 0, duration: 0 });
  });

  it('keeps two frames between touching cues, and closes short gaps up to that minimum', () => {
    const cues = timeCues(
      [
        { start: 0, end: 2, text: 'One two three.' },
        { start: 2, end: 4, text: 'Four five six.' },
        { start: 4.3, end: 6, text: 'Seven eight.' },
      ],
      rules,
    );
    expect(cues[1]!.start - cues[0]!.end).toBeGreaterThanOrEqual(0.083);
    expect(cues[2]!.start - cues[1]!.end).toBeCloseTo(0.085, 2); // the 0.3 s gap was closed
  });

  it('caps a cue at 7 s and never runs past the end of the media', () => {
    const cues = timeCues(
      [
        { start: 0, end: 12, text: 'Long.' },
        { start: 12.5, end: 12.8, text: 'The end, nearly.' },
      ],
      rules,
      13,
    );
    expect(cues[0]!.end - cues[0]!.start).toBeLessThanOrEqual(7);
    expect(cues[1]!.end).toBeLessThanOrEqual(13);
    expect(cues[1]!.end - cues[1]!.start).toBeGreaterThanOrEqual(1);
  });

  it('needs at least the minimum duration and characters / max rate (line break counted as a space)', () => {
    expect(requiredSeconds('Hi.', rules)).toBeCloseTo(1, 2);
    expect(requiredSeconds('x'.repeat(34) + '\n' + 'y'.repeat(33), rules)).toBeCloseTo(68 / 17, 2);
  });
});
