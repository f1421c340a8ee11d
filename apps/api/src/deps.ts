import type { Config } from '@babelfish/config';
import type { JobRepository } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import type { EngineRegistry } from '@babelfish/ml';
import type { JobQueues } from '@babelfish/queue';
import type { Storage } from '@babelfish/storage';

/** What the HTTP layer talks to; built in server.ts, replaced by nothing in tests (all real). */
export type ApiDeps = {
  config: Config;
  jobs: JobRepository;
  storage: Storage;
  queues: JobQueues;
  engines: EngineRegistry;
  logger: Logger;
  uploadDir: string;
};
