import { isTerminalStatus, type JobStatus, type ProgressEvent, type Stage } from '@babelfish/core';
import type { JobRecord, StageProgress } from '@babelfish/db';
import type { DownloadListener, DownloadProgress } from '@babelfish/ml';
import type { StageContext } from './context';

/** Share of the whole job each stage stands for; transcription dominates the run time. */
const weights = { transcribe: 0.45, translate: 0.4, mux: 0.15 } as const;

export function overallPercent(progress: StageProgress, targetLanguages: string[]): number {
  const translate = targetLanguages.length
    ? targetLanguages.reduce((sum, language) => sum + (progress.translate?.[language] ?? 0), 0) / targetLanguages.length
    : 0;
  const total = weights.transcribe * (progress.transcribe ?? 0) + weights.translate * translate + weights.mux * (progress.mux ?? 0);
  return Math.round(total * 10) / 10;
}

function withStage(progress: StageProgress, stage: Stage, percent: number, language?: string): StageProgress {
  if (stage === 'translate' && language) return { ...progress, translate: { ...progress.translate, [language]: percent } };
  if (stage === 'transcribe' || stage === 'mux') return { ...progress, [stage]: percent };
  return progress;
}

export function progressEvent(job: JobRecord, status: JobStatus, fields: Partial<ProgressEvent> = {}): ProgressEvent {
  return {
    jobId: job.id,
    status,
    stage: job.stage,
    stagePercent: 0,
    percent: job.percent,
    at: new Date().toISOString(),
    ...fields,
  };
}

/**
 * A stage's progress callback: records the stage percent on the job row and publishes the
 * event. Whole percents only, and the job percent never goes backwards, so clients can draw
 * a bar straight from the events. `download` is the listener for a model this stage has to
 * fetch first: its events are the `download` stage (then the stage's next report takes over).
 */
export function createStageReporter(ctx: StageContext, job: JobRecord, stage: Stage, language?: string) {
  let last = -1;
  let chain: Promise<void> = Promise.resolve();
  // Whether the job row says `download` (set once per download, not on every percent).
  let rowInDownload = false;

  const write = async (stagePercent: number, message?: string) => {
    const current = (await ctx.jobs.get(job.id)) ?? job;
    if (isTerminalStatus(current.status)) return;
    const stageProgress = withStage(current.stageProgress, stage, stagePercent, language);
    const percent = Math.max(current.percent, overallPercent(stageProgress, current.targetLanguages));
    await ctx.jobs.updateProgress(job.id, { stage, percent, stageProgress });
    rowInDownload = false;
    await ctx.publish(progressEvent(current, 'processing', { stage, language, stagePercent, percent, message }));
  };

  const enqueue = (work: () => Promise<void>) => {
    // Serialised so events leave in the order they were reported.
    chain = chain.then(work).catch((error: unknown) => {
      // Progress is advisory: a failed update must not fail the stage.
      ctx.logger.warn('progress update failed', { jobId: job.id, error: String(error) });
    });
  };

  const report = (percent: number, message?: string) => {
    const whole = Math.max(0, Math.min(100, Math.floor(percent)));
    if (whole <= last) return;
    last = whole;
    enqueue(() => write(whole, message));
  };

  /** Publishes `message` at the stage's current percent (a step that has no percent of its own). */
  const note = (message: string) => {
    enqueue(async () => {
      const current = (await ctx.jobs.get(job.id)) ?? job;
      if (isTerminalStatus(current.status)) return;
      await ctx.publish(progressEvent(current, 'processing', { stage, language, stagePercent: Math.max(0, last), message }));
    });
  };

  let lastDownload = '';
  const download: DownloadListener = (progress) => {
    if (progress.loaded === 0) ctx.logger.info('downloading model', { jobId: job.id, modelId: progress.modelId, file: progress.file, bytes: progress.total });
    const message = describeDownload(progress);
    if (message === lastDownload) return;
    lastDownload = message;
    const stagePercent = downloadPercent(progress);
    const finished = progress.index === progress.count && progress.total !== undefined && progress.loaded >= progress.total;
    enqueue(async () => {
      const current = (await ctx.jobs.get(job.id)) ?? job;
      if (isTerminalStatus(current.status)) return;
      if (!rowInDownload) {
        // The job view (GET /v1/jobs/:id, the dashboard) says what it waits for; the percent stays.
        await ctx.jobs.updateProgress(job.id, { stage: 'download', percent: current.percent, stageProgress: current.stageProgress });
        rowInDownload = true;
      }
      await ctx.publish(progressEvent(current, 'processing', { stage: 'download', language, stagePercent, message }));
      if (finished) {
        // Back to the stage that waited, at its own percent, without waiting for its next step.
        await ctx.jobs.updateProgress(job.id, { stage, percent: current.percent, stageProgress: current.stageProgress });
        rowInDownload = false;
        await ctx.publish(progressEvent(current, 'processing', { stage, language, stagePercent: Math.max(0, last), message: `Model ${progress.modelId} downloaded` }));
      }
    });
  };

  return { report, note, download, flush: () => chain };
}

/** "Downloading model Xenova/whisper-base: file 6 of 7, 45% of 30.7 MB". */
export function describeDownload(progress: DownloadProgress): string {
  const share = progress.total ? `, ${Math.floor((100 * progress.loaded) / progress.total)}% of ${(progress.total / 1e6).toFixed(1)} MB` : '';
  return `Downloading model ${progress.modelId}: file ${progress.index} of ${progress.count}${share}`;
}

/** The whole download's percent, each file counting the same (the sizes of those still to come are unknown). */
export function downloadPercent(progress: DownloadProgress): number {
  const file = progress.total ? Math.min(1, progress.loaded / progress.total) : 0;
  return Math.floor((100 * (progress.index - 1 + file)) / Math.max(1, progress.count));
}
