import type { JobRecord, OutputRecord, SubtitleTrack } from '@babelfish/db';
import { findLanguage, type MediaSummary } from '@babelfish/core';
import type { JobMediaView, JobView, OutputView, SubtitleTrackView } from '@babelfish/contract';

/** The wire shapes of the REST API (and of Socket.IO acks): only what clients need. */
export function jobView(job: JobRecord): JobView {
  return {
    id: job.id,
    status: job.status,
    stage: job.stage,
    percent: job.percent,
    stageProgress: job.stageProgress,
    sourceLanguage: job.sourceLanguage,
    detectedLanguage: job.detectedLanguage,
    targetLanguages: job.targetLanguages,
    engine: job.engine,
    originalName: job.originalName,
    durationSeconds: job.mediaDuration,
    error: job.error,
    errorCode: job.errorCode,
    createdAt: job.createdAt,
    updatedAt: job.updatedAt,
    completedAt: job.completedAt,
    thumbnailUrl: job.thumbnailKey ? `/v1/jobs/${job.id}/thumbnail` : null,
    options: job.options,
    media: job.media ? mediaView(job.media) : null,
    // Per target language translated so far: the engine used (not only the one asked for) and its tokens.
    translations: job.targetLanguages.flatMap((language) => {
      const entry = job.translations[language];
      return entry ? [{ language, ...entry }] : [];
    }),
    usage: { ...job.usage, totalTokens: job.usage.promptTokens + job.usage.completionTokens },
    // A transcription-only job (OpenAI / whisper-asr APIs) has one output in the format asked for.
    kind: job.transcription ? 'transcription' : 'video',
    transcription: job.transcription,
  };
}

/**
 * The streams found at submission: the picture, every audio track with the one transcribed
 * marked (`audioTrack`), and the upload's own subtitle streams.
 */
export function mediaView(media: MediaSummary): JobMediaView {
  const { chosenBy: _chosenBy, startOffsetSeconds: _offset, ...chosen } = media.audio ?? { codec: '' };
  const tracks = media.audioTracks ?? (media.audio ? [{ ...chosen, track: media.audio.track ?? 0, isDefault: true }] : []);
  return {
    video: media.video ?? null,
    audioTrack: media.audio?.track ?? (media.audio ? 0 : null),
    audioTrackChosenBy: media.audio?.chosenBy ?? null,
    audioStartOffsetSeconds: media.audio?.startOffsetSeconds ?? 0,
    audioTracks: tracks,
    subtitles: media.subtitles ?? [],
  };
}

export function outputView(output: OutputRecord): OutputView {
  return {
    id: output.id,
    kind: output.kind,
    language: output.language,
    name: output.name,
    bytes: output.bytes,
    url: `/v1/jobs/${output.jobId}/outputs/${output.id}/download`,
  };
}

export function trackView(track: SubtitleTrack): SubtitleTrackView {
  return {
    language: track.language,
    name: findLanguage(track.language)?.name ?? track.language,
    kind: track.kind,
    version: track.version,
    origin: track.origin,
    segments: track.segments,
    vttUrl: `/v1/jobs/${track.jobId}/subtitles/${track.language}.vtt?v=${track.version}`,
  };
}
