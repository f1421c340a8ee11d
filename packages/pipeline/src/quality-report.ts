import type { QualityReport, Segment, SubtitleRules, TrackQuality } from '@babelfish/core';
import { summarizeQuality, trackQuality, violationCount } from '@babelfish/subtitles';
import type { StageContext } from './context';

export type CheckedTrack = { language: string; kind: TrackQuality['kind']; segments: Segment[] };

/**
 * Checks every subtitle track the mux stage writes against the job's rules for its language
 * (`forLanguage`: the job's choices over that language's defaults; `job`: over the broadcast
 * defaults, stored as the report's headline rules), stores the report
 * on the job (GET /v1/jobs/:id/quality) and logs one line per track, as a warning when a rule
 * is broken (usually by an edit, or speech too fast to subtitle at the reading speed).
 */
export async function recordQuality(
  ctx: StageContext,
  jobId: string,
  tracks: readonly CheckedTrack[],
  rules: { job: SubtitleRules; forLanguage: (language: string) => SubtitleRules },
  warnings: string[],
  /** The recording's length: a cue cut short by the end of a very short clip is no violation. */
  mediaDuration?: number,
): Promise<QualityReport> {
  const report: QualityReport = {
    rules: rules.job,
    tracks: tracks.map((track) => trackQuality(track.language, track.kind, track.segments, rules.forLanguage(track.language), mediaDuration)),
    warnings,
    checkedAt: new Date().toISOString(),
  };
  for (const track of report.tracks) {
    const fields = { jobId, language: track.language, kind: track.kind, cues: track.cues, counts: track.counts, issues: track.issues.slice(0, 5) };
    if (violationCount(track) > 0) ctx.logger.warn(`subtitle quality: ${summarizeQuality(track)}`, fields);
    else ctx.logger.info(`subtitle quality: ${summarizeQuality(track)}`, fields);
  }
  for (const warning of warnings) ctx.logger.warn('optional output skipped', { jobId, warning });
  await ctx.jobs.setQuality(jobId, report);
  return report;
}
