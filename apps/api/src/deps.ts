import type { Config } from '@babelfish/config';
import type { ApiKeyRepository, JobRepository, SubtitleRepository, WebhookRepository } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import type { EngineRegistry } from '@babelfish/ml';
import type { JobQueues } from '@babelfish/queue';
import type { Storage } from '@babelfish/storage';
import type { Redis } from 'ioredis';
import type { Authenticator } from './auth/authenticate';
import type { JobWaiter } from './compat/job-waiter';
import type { SessionStore } from './auth/sessions';
import type { Idempotency } from './idempotency';
import type { JobReadCache } from './job-read-cache';
import type { Metrics } from './metrics';
import type { Readiness } from './readiness';
import type { UploadSessions } from './uploads/upload-sessions';

/** What the HTTP layer talks to; built in server.ts, replaced by nothing in tests (all real). */
export type ApiDeps = {
  config: Config;
  jobs: JobRepository;
  /** Shared, briefly remembered reads of a job for status polling (see job-read-cache.ts). */
  jobReads: JobReadCache;
  subtitles: SubtitleRepository;
  uploads: UploadSessions;
  idempotency: Idempotency;
  apiKeys: ApiKeyRepository;
  webhooks: WebhookRepository;
  sessions: SessionStore;
  authenticate: Authenticator;
  redis: Redis;
  metrics: Metrics;
  readiness: () => Promise<Readiness>;
  storage: Storage;
  queues: JobQueues;
  engines: EngineRegistry;
  logger: Logger;
  uploadDir: string;
  /** Wakes requests that wait for their job (OpenAI / whisper-asr compatible APIs). */
  jobWaiter: JobWaiter;
};
