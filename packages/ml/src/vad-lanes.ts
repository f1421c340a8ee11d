import type { FrameRange } from './energy-gate';

/**
 * How the frames to scan are shared among the lanes of one Silero batch (the model takes a batch
 * of independent streams, and one run serves every lane: 8 lanes cost 2.2× fewer seconds per
 * frame than one). The stretches are laid end to end and cut into `lanes` runs of about equal
 * length; a lane scans its pieces in order, each from a fresh state. A piece that starts inside
 * a stretch (where the stretch was cut between two lanes) begins `warmUpFrames` early, so that
 * its state has settled by its first frame; a piece at a stretch's start needs none (the
 * stretch's own margin, or the recording's start, is quiet).
 */

export type LanePiece = {
  /** The first frame fed to the model (a fresh state starts here). */
  from: number;
  /** The first frame whose probability is kept. */
  first: number;
  /** One past the last frame scanned. */
  last: number;
};

export type LanePlanOptions = {
  maxLanes: number;
  /** A lane gets at least this many frames; less audio uses fewer lanes. */
  minLaneFrames: number;
  warmUpFrames: number;
};

export const defaultLanePlanOptions: LanePlanOptions = {
  maxLanes: 8,
  // 30 s: below that the warm-up would be a large share of each lane.
  minLaneFrames: 938,
  // 3 s.
  warmUpFrames: 94,
};

export function planLanes(stretches: readonly FrameRange[], options: Partial<LanePlanOptions> = {}): LanePiece[][] {
  const o = { ...defaultLanePlanOptions, ...options };
  const total = stretches.reduce((sum, stretch) => sum + stretch.end - stretch.start, 0);
  if (total === 0) return [];
  const laneCount = Math.max(1, Math.min(o.maxLanes, Math.floor(total / o.minLaneFrames)));
  const perLane = Math.ceil(total / laneCount);
  const lanes: LanePiece[][] = Array.from({ length: laneCount }, () => []);
  let lane = 0;
  let room = perLane;
  for (const stretch of stretches) {
    let first = stretch.start;
    while (first < stretch.end) {
      const last = Math.min(stretch.end, first + room);
      lanes[lane]!.push({ from: Math.max(stretch.start, first - (first > stretch.start ? o.warmUpFrames : 0)), first, last });
      room -= last - first;
      first = last;
      if (room === 0) {
        lane++;
        // The last lane takes whatever is left (nothing, as perLane is rounded up).
        room = lane < laneCount - 1 ? perLane : Number.POSITIVE_INFINITY;
      }
    }
  }
  return lanes;
}
