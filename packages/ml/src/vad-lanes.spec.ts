import { planLanes, type LanePiece } from './vad-lanes';

/** Every kept frame of the plan, in order per lane, to check that none is lost or doubled. */
const keptFrames = (lanes: LanePiece[][]) => lanes.flat().flatMap((piece) => Array.from({ length: piece.last - piece.first }, (_, i) => piece.first + i));

describe('planLanes', () => {
  it('cuts one long range into 8 equal lanes, each after the first warming up 3 s (the full scan)', () => {
    const lanes = planLanes([{ start: 0, end: 9375 }]); // 300 s
    expect(lanes).toHaveLength(8);
    expect(lanes.map((pieces) => pieces.length)).toEqual([1, 1, 1, 1, 1, 1, 1, 1]);
    expect(lanes[0]![0]).toEqual({ from: 0, first: 0, last: 1172 });
    expect(lanes[1]![0]).toEqual({ from: 1172 - 94, first: 1172, last: 2344 });
    expect(lanes[7]![0]!.last).toBe(9375);
    expect(keptFrames(lanes)).toEqual(Array.from({ length: 9375 }, (_, i) => i));
  });

  it('uses fewer lanes for less audio, one for under a minute', () => {
    expect(planLanes([{ start: 100, end: 1500 }])).toEqual([[{ from: 100, first: 100, last: 1500 }]]);
    expect(planLanes([])).toEqual([]);
    expect(planLanes([{ start: 0, end: 2000 }])).toHaveLength(2);
  });

  it('packs stretches end to end; a stretch cut between lanes warms up inside itself, never before its start', () => {
    const stretches = [
      { start: 0, end: 1300 },
      { start: 20_000, end: 20_900 },
      { start: 40_000, end: 41_600 },
      { start: 90_000, end: 90_050 },
    ];
    const lanes = planLanes(stretches);
    expect(lanes).toHaveLength(4); // 3,850 frames: 4 lanes of at least 938
    const expected = stretches.flatMap((stretch) => Array.from({ length: stretch.end - stretch.start }, (_, i) => stretch.start + i));
    expect(keptFrames(lanes)).toEqual(expected);
    for (const piece of lanes.flat()) {
      const stretch = stretches.find((s) => piece.first >= s.start && piece.last <= s.end)!;
      expect(stretch).toBeDefined();
      expect(piece.from).toBe(piece.first === stretch.start ? stretch.start : Math.max(stretch.start, piece.first - 94));
    }
    // Lanes are about equally long, so that no lane holds the batch up.
    const lengths = lanes.map((pieces) => pieces.reduce((sum, piece) => sum + piece.last - piece.first, 0));
    expect(Math.max(...lengths) - Math.min(...lengths)).toBeLessThanOrEqual(3);
  });
});
