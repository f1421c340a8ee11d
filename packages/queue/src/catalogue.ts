/**
 * The closed job catalogue: one queue per stage, so each worker role scales on its own.
 * A job's pipeline is transcribe once, then a BullMQ flow of one translate child per target
 * language under a mux parent (a flow node has one parent, so the fan-out after transcription
 * is added by the transcribe handler once it succeeds).
 */
export const QueueName = { Transcribe: 'transcribe', Translate: 'translate', Mux: 'mux' } as const;
export type QueueName = (typeof QueueName)[keyof typeof QueueName];
export const queueNames = Object.values(QueueName);

export type TranscribeJobData = { jobId: string; run: number };
export type TranslateJobData = { jobId: string; language: string };
export type MuxJobData = { jobId: string; run: number };

export type JobDataByQueue = {
  transcribe: TranscribeJobData;
  translate: TranslateJobData;
  mux: MuxJobData;
};

/** Deterministic BullMQ ids: a retried submission or a re-run never queues the same work twice. */
export const bullJobId = {
  transcribe: (jobId: string, run = 1) => `transcribe-${jobId}-${run}`,
  translate: (jobId: string, language: string, run = 1) => `translate-${jobId}-${language}-${run}`,
  mux: (jobId: string, run = 1) => `mux-${jobId}-${run}`,
};
