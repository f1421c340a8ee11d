import type { ProgressEvent } from '@babelfish/core';
import type { JobRepository, SubtitleRepository } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import type { EngineRegistry, SpeechModel } from '@babelfish/ml';
import type { Storage } from '@babelfish/storage';

/**
 * Everything stage code needs, built once per process (worker or CLI). The Whisper model is
 * a lazy getter so a mux-only worker never loads it, and a transcribe worker loads it once.
 */
export type StageContext = {
  jobs: JobRepository;
  subtitles: SubtitleRepository;
  storage: Storage;
  engines: EngineRegistry;
  whisper: () => Promise<SpeechModel>;
  publish: (event: ProgressEvent) => Promise<void> | void;
  logger: Logger;
  tmpDir: string;
  ffmpeg: { ffmpegPath: string; ffprobePath: string };
};
