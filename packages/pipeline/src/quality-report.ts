import type { BilingualCue, QualityReport, Segment, SubtitleRules, TrackQuality, TranslationSummary } from '@babelfish/core';
import { storageKeys } from '@babelfish/storage';
import { bilingualTrackQuality, summarizeQuality, trackQuality, violationCount } from '@babelfish/subtitles';
import type { StageContext } from './context';
import { readJson } from './load-job';

/** A track as written; a bilingual one carries its cues (translation with the source lines) instead of segments. */
export type CheckedTrack = { language: string; kind: TrackQuality['kind']; segments: Segment[]; bilingual?: { cues: BilingualCue[]; sourceLanguage: string } };

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
  const translations = await translationSummaries(ctx, jobId, tracks);
  for (const summary of translations) {
    if (summary.fallbackLines > 0) {
      warnings.push(`${summary.language}: ${summary.fallbackLines} line(s) translated by ${summary.fallbackEngine} because ${summary.engine} never answered them well`);
    }
  }
  const report: QualityReport = {
    rules: rules.job,
    tracks: tracks.map((track) =>
      track.bilingual
        ? bilingualTrackQuality(track.language, track.bilingual.cues, { source: rules.forLanguage(track.bilingual.sourceLanguage), translation: rules.forLanguage(track.language) }, mediaDuration)
        : trackQuality(track.language, track.kind, track.segments, rules.forLanguage(track.language), mediaDuration),
    ),
    warnings,
    ...(translations.length > 0 ? { translations } : {}),
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

/** The reports the translate stage kept (only engines that report: llm), one per target language. */
async function translationSummaries(ctx: StageContext, jobId: string, tracks: readonly CheckedTrack[]): Promise<TranslationSummary[]> {
  const summaries: TranslationSummary[] = [];
  for (const track of tracks.filter((candidate) => candidate.kind === 'translation')) {
    const key = storageKeys.translationReport(jobId, track.language);
    if (!(await ctx.storage.stat(key))) continue;
    const report = await readJson<Omit<TranslationSummary, 'language'>>(ctx, key);
    summaries.push({
      language: track.language,
      engine: report.engine,
      model: report.model,
      linesTranslated: report.linesTranslated,
      linesCached: report.linesCached,
      fallbackLines: report.fallbackLines,
      fallbackEngine: report.fallbackEngine,
      promptTokens: report.promptTokens,
      completionTokens: report.completionTokens,
    });
  }
  return summaries;
}
