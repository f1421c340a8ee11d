import { AppError, type Segment, type SubtitleRules, type Transcript } from '@babelfish/core';
import { normalizeCues, resolveRules, segmentTrack } from '@babelfish/subtitles';
import type { JobRecord } from '@babelfish/db';
import type { StageContext } from './context';

/**
 * The job's subtitle rules for a track in `language`: the job's own choices over that
 * language's defaults (line length and reading speed differ by script and language).
 */
export function jobRules(job: JobRecord, language?: string): SubtitleRules {
  return resolveRules(job.options.subtitleRules ?? {}, language);
}

/**
 * The subtitle track keeps only text and times; Whisper's word timings stay in the stored
 * transcript. They are put back on the segments whose text is unchanged, so an edited
 * segment is timed by its own span instead of words it no longer has.
 */
export function withTranscriptWords(segments: readonly Segment[], transcript: Transcript): Segment[] {
  const byText = new Map<string, Segment[]>();
  for (const original of transcript.segments) {
    if (!original.words?.length) continue;
    const key = `${original.start}|${original.text.trim()}`;
    byText.set(key, [...(byText.get(key) ?? []), original]);
  }
  return segments.map((segment) => {
    const original = byText.get(`${segment.start}|${segment.text.trim()}`)?.[0];
    return original && original.end === segment.end ? { ...segment, words: original.words } : segment;
  });
}

/**
 * The cues to write for a language: the latest version of its track. An engine-made source
 * track is still Whisper's raw segments, so it is cut and timed to the rules here (with the
 * word timings); translations were already segmented when translated, and edits keep the
 * editor's text and times. An imported source track (a subtitle file the submitter gave) is cut
 * like Whisper's: its own cuts need not follow the job's rules. Every track then passes normalizeCues, so whatever the recogniser
 * or an editor produced, no written cue is empty, too short, overlapping or past the media.
 */
export async function cuesForTrack(ctx: StageContext, job: JobRecord, transcript: Transcript, language: string): Promise<{ kind: 'source' | 'translation'; segments: Segment[] }> {
  const track = await ctx.subtitles.latest(job.id, language);
  if (!track) throw new AppError('NOT_FOUND', `No ${language} subtitles exist for job ${job.id}; translate it first`);
  const rules = jobRules(job, language);
  // The length the segmentation worked to (the transcript's audio), else the probed video's.
  const mediaDuration = transcript.durationSeconds > 0 ? transcript.durationSeconds : (job.mediaDuration ?? undefined);
  if (track.kind !== 'source' || track.origin === 'edit') return { kind: track.kind, segments: normalizeCues(track.segments, rules, mediaDuration) };
  const segments = segmentTrack(withTranscriptWords(track.segments, transcript), rules, {
    language,
    mediaDuration: transcript.durationSeconds,
    keepTogether: job.options.glossary?.doNotTranslate,
  });
  return { kind: 'source', segments: normalizeCues(segments, rules, mediaDuration) };
}
