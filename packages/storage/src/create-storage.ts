import type { Config } from '@babelfish/config';
import { AppError } from '@babelfish/core';
import { deferredStorage } from './deferred-storage';
import { createLocalStorage } from './local-storage';
import type { Storage } from './storage';

/** The one place that turns STORAGE_DRIVER into a backend; the API and the workers both call it. */
export function createStorage(config: Pick<Config, 'storage'>): Storage {
  const { storage } = config;
  if (storage.driver === 'local') return createLocalStorage(storage.dir);
  // loadConfig already refuses s3 without a bucket; this guards hand-built configs.
  const settings = storage.s3;
  if (!settings) throw new AppError('INVALID_CONFIG', 'STORAGE_DRIVER=s3 needs S3_BUCKET');
  return deferredStorage(async () => (await import('./s3-storage')).createS3Storage(settings));
}
