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

/**
 * A long recording is transcribed in chunks cut at pauses: one child job per chunk on the
 * transcribe queue (any transcribe worker takes one), under a merge parent that runs once every
 * chunk is done. Both ride the transcribe queue, told apart by `kind`.
 */
export type TranscribeChunkJobData = {
  kind: 'chunk';
  jobId: string;
  run: number;
  index: number;
  count: number;
  /** Where the chunk lies in the recording (its words are shifted by the start). */
  startSeconds: number;
  endSeconds: number;
  language: string;
};
export type TranscribeMergeJobData = {
  kind: 'merge';
  jobId: string;
  run: number;
  count: number;
  language: string;
  detected: { language: string; probability: number } | null;
  durationSeconds: number;
};
export type TranscribeQueueData = TranscribeJobData | TranscribeChunkJobData | TranscribeMergeJobData;
export type TranslateJobData = { jobId: string; language: string };
export type MuxJobData = { jobId: string; run: number };

export type JobDataByQueue = {
  transcribe: TranscribeQueueData;
  translate: TranslateJobData;
  mux: MuxJobData;
};

/**
 * BullMQ priorities (1 is served first). A worker takes unprioritized jobs before any
 * prioritized one, so every job carries a priority: bulk video jobs a low one, and a
 * transcription a client is waiting on over HTTP (OpenAI / whisper-asr APIs) the highest, so it
 * is the next job a free worker takes.
 */
export const JobPriority = { interactive: 1, bulk: 10 } as const;
export type JobPriority = (typeof JobPriority)[keyof typeof JobPriority];

/** Deterministic BullMQ ids: a retried submission or a re-run never queues the same work twice. */
export const bullJobId = {
  transcribe: (jobId: string, run = 1) => `transcribe-${jobId}-${run}`,
  transcribeChunk: (jobId: string, run: number, index: number) => `transcribe-${jobId}-${run}-chunk-${index}`,
  transcribeMerge: (jobId: string, run: number) => `transcribe-${jobId}-${run}-merge`,
  translate: (jobId: string, language: string, run = 1) => `translate-${jobId}-${language}-${run}`,
  mux: (jobId: string, run = 1) => `mux-${jobId}-${run}`,
};
