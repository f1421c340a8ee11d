import path from 'node:path';
import fs from 'node:fs/promises';
import { getLanguage, type BilingualCue, type Segment, type SubtitleRules } from '@babelfish/core';
import { toBilingualAss, toSrt, toWebVtt, type SubtitleTrack } from '@babelfish/media';
import { bilingualText, pairBilingualCues } from '@babelfish/subtitles';
import type { PlannedOutput } from './extra-outputs';

/**
 * A job's bilingual subtitles: per target language, `<stem>.<source>-<target>.srt/.vtt/.ass`
 * with the source line above each translation (in ASS smaller and grey). They come beside the
 * plain `<stem>.<target>.*` files, which stay what they were, and join the videos as a track
 * of their own ("Spanish + English").
 */

export type BilingualTrack = { language: string; cues: BilingualCue[]; srtPath: string; assPath: string };

export function bilingualTracks(
  source: { language: string; segments: readonly Segment[]; rules: SubtitleRules },
  translations: readonly { targetLanguage: string; segments: Segment[] }[],
  workDir: string,
  stem: string,
): BilingualTrack[] {
  return translations
    .filter((translation) => translation.targetLanguage !== source.language && translation.segments.length > 0)
    .map((translation) => {
      const base = path.join(workDir, `${stem}.${source.language}-${translation.targetLanguage}`);
      return {
        language: translation.targetLanguage,
        cues: pairBilingualCues(source.segments, translation.segments, source.rules, source.language),
        srtPath: `${base}.srt`,
        assPath: `${base}.ass`,
      };
    });
}

export async function writeBilingualTrack(
  track: BilingualTrack,
  sourceLanguage: string,
  ass: { width?: number; height?: number; title: string; maxCharsPerLine: number },
): Promise<PlannedOutput[]> {
  const plain: Segment[] = track.cues.map((cue) => ({ start: cue.start, end: cue.end, text: bilingualText(cue) }));
  const files = [
    ['bilingual-srt', track.srtPath, toSrt(plain)],
    ['bilingual-vtt', track.srtPath.replace(/\.srt$/, '.vtt'), toWebVtt(plain)],
    ['bilingual-ass', track.assPath, toBilingualAss(track.cues, { ...ass, language: track.language, sourceLanguage })],
  ] as const;
  const planned: PlannedOutput[] = [];
  for (const [kind, localPath, content] of files) {
    await fs.writeFile(localPath, content, 'utf8');
    planned.push({ kind, language: track.language, name: path.basename(localPath), localPath });
  }
  return planned;
}

/** The bilingual track as the videos carry it: tagged with the target language, titled with both. */
export function bilingualMuxTrack(track: BilingualTrack, sourceLanguage: string): SubtitleTrack {
  const language = getLanguage(track.language);
  return { path: track.srtPath, language, title: `${language.name} + ${getLanguage(sourceLanguage).name}` };
}
