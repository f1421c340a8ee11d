import type { Config } from '@babelfish/config';
import type { JobRepository, SubtitleRepository } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import type { EngineRegistry } from '@babelfish/ml';
import type { JobQueues } from '@babelfish/queue';
import type { Storage } from '@babelfish/storage';
import type { UploadSessions } from './uploads/upload-sessions';

/** What the HTTP layer talks to; built in server.ts, replaced by nothing in tests (all real). */
export type ApiDeps = {
  config: Config;
  jobs: JobRepository;
  subtitles: SubtitleRepository;
  uploads: UploadSessions;
  storage: Storage;
  queues: JobQueues;
  engines: EngineRegistry;
  logger: Logger;
  uploadDir: string;
};
