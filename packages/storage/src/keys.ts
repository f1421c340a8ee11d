import { AppError } from '@babelfish/core';

const safeKey = /^[A-Za-z0-9][A-Za-z0-9._-]*(\/[A-Za-z0-9][A-Za-z0-9._-]*)*$/;

/** Rejects anything that could climb out of the storage root or name something odd. */
export function assertSafeKey(key: string): string {
  if (!safeKey.test(key) || key.split('/').some((part) => part === '..' || part === '.')) {
    throw new AppError('BAD_REQUEST', `Unsafe storage key "${key}"`);
  }
  return key;
}

/** Turns a user's file name into a short, safe stem for download names (never a path). */
export function safeFileStem(originalName: string, fallback = 'video'): string {
  const base = originalName.split(/[\\/]/).pop() ?? '';
  const stem = base.replace(/\.[^.]*$/, '');
  const cleaned = stem
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '')
    .slice(0, 80);
  return cleaned || fallback;
}

export const storageKeys = {
  input: (jobId: string) => `jobs/${jobId}/input`,
  audio: (jobId: string) => `jobs/${jobId}/audio.wav`,
  transcript: (jobId: string) => `jobs/${jobId}/transcript.json`,
  /** What the engine reported for one target language (llm: tokens, fallback lines). */
  translationReport: (jobId: string, language: string) => `jobs/${jobId}/translation-report.${language}.json`,
  thumbnail: (jobId: string) => `jobs/${jobId}/thumbnail.jpg`,
  /** A subtitle file given with the job, as uploaded (a subtitle-only job's input too). */
  importedSubtitles: (jobId: string) => `jobs/${jobId}/imported-subtitles`,
  upload: (uploadId: string) => `uploads/${uploadId}`,
  output: (jobId: string, name: string) => `jobs/${jobId}/outputs/${name}`,
  jobPrefix: (jobId: string) => `jobs/${jobId}`,
};
