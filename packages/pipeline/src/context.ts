import type { ProgressEvent } from '@babelfish/core';
import type { JobRepository, SubtitleRepository } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import type { DownloadListener, EngineRegistry, SpeechModel } from '@babelfish/ml';
import type { Storage } from '@babelfish/storage';

/**
 * Everything stage code needs, built once per process (worker or CLI). The Whisper model is
 * a lazy getter so a mux-only worker never loads it, and a transcribe worker loads it once
 * (downloading it into the model cache first when it is not installed).
 */
export type StageContext = {
  jobs: JobRepository;
  subtitles: SubtitleRepository;
  storage: Storage;
  engines: EngineRegistry;
  /**
   * `modelId`'s Whisper (WHISPER_MODEL when absent: a transcription-only job may name another
   * installed one). `onDownload` hears the model's download when this call has to fetch its files first.
   */
  whisper: (onDownload?: DownloadListener, modelId?: string) => Promise<SpeechModel>;
  publish: (event: ProgressEvent) => Promise<void> | void;
  /** Queues the job's webhook for a terminal event (absent in the CLI, which has no webhooks). */
  announce?: (jobId: string, event: 'job.completed' | 'job.failed' | 'job.canceled') => Promise<void>;
  logger: Logger;
  tmpDir: string;
  ffmpeg: { ffmpegPath: string; ffprobePath: string };
  /** The input limits checked when the job's first step probes an upload the API did not probe. */
  limits: { maxDurationSeconds: number; maxMediaStreams: number };
};
