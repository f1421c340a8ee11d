import type { Job, ProgressEvent } from './types';

/**
 * Folds a Socket.IO progress event into a job snapshot, so views render one shape whether the
 * data came from REST, a subscribe ack or a live event.
 */
export function applyProgress(job: Job, event: ProgressEvent): Job {
  const stageProgress = { ...job.stageProgress, translate: { ...job.stageProgress?.translate } };
  if (event.stage === 'transcribe') stageProgress.transcribe = event.stagePercent;
  if (event.stage === 'mux') stageProgress.mux = event.stagePercent;
  if (event.stage === 'translate' && event.language) stageProgress.translate[event.language] = event.stagePercent;
  if (event.status === 'completed') {
    // A completed event closes every stage, whatever the last intermediate event said.
    stageProgress.transcribe = 100;
    stageProgress.mux = 100;
    for (const language of job.targetLanguages) stageProgress.translate[language] = 100;
  }
  return {
    ...job,
    status: event.status,
    stage: event.stage,
    // The server promises a non-decreasing job percent, except when a remux or retry restarts work.
    percent: event.percent,
    stageProgress,
    error: event.status === 'failed' || event.status === 'canceled' ? (event.error ?? event.message ?? job.error ?? `The job ${event.status}`) : event.status === 'completed' ? null : job.error,
    updatedAt: event.at ?? job.updatedAt,
  };
}

export const isActive = (job: Pick<Job, 'status'>) => job.status === 'queued' || job.status === 'processing';

export const statusLabels: Record<Job['status'], string> = {
  queued: 'Queued',
  processing: 'Processing',
  completed: 'Completed',
  failed: 'Failed',
  canceled: 'Canceled',
};

export const stageLabels: Record<Job['stage'], string> = {
  upload: 'Upload',
  download: 'Downloading model',
  transcribe: 'Transcription',
  translate: 'Translation',
  mux: 'Subtitled video (mux)',
};

/** True for a job made from a subtitle file alone: no player, no thumbnail, subtitle files only. */
export function isSubtitlesOnly(job: Pick<Job, 'options'>): boolean {
  return job.options?.importedSubtitles?.withoutMedia === true;
}
