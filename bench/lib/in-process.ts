import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@babelfish/config';
import { createLogger } from '@babelfish/logger';
import { probeMedia, summarizeMedia } from '@babelfish/media';
import { createServices, type Services } from '@babelfish/pipeline';
import { storageKeys } from '@babelfish/storage';
import { modelsDir } from './fixtures';

/**
 * The pipeline in this process on a throw-away SQLite + local storage (what the CLI runs),
 * for benchmarks of single stages.
 */
export async function startServices(): Promise<Services & { dataDir: string; stop: () => Promise<void> }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelfish-bench-data-'));
  const config = loadConfig({ DATA_DIR: dataDir, MODELS_DIR: modelsDir, ALLOW_REMOTE_MODELS: 'false', LOG_LEVEL: 'error' });
  const services = await createServices(config, { logger: createLogger('bench', 'error') });
  return {
    ...services,
    dataDir,
    async stop() {
      await services.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** A job row with its input stored, as POST /v1/jobs leaves it. */
export async function createJob(
  services: Services,
  file: string,
  plan: { from: string | null; to: string[]; contentHash?: string; ownerId?: string },
): Promise<string> {
  const id = randomUUID();
  const media = await probeMedia(file);
  await services.ctx.storage.putFile(storageKeys.input(id), file);
  await services.ctx.jobs.create({
    id,
    ownerId: plan.ownerId ?? 'bench',
    sourceLanguage: plan.from,
    targetLanguages: plan.to,
    originalName: path.basename(file),
    inputKey: storageKeys.input(id),
    mediaDuration: media.durationSeconds,
    media: summarizeMedia(media),
    contentHash: plan.contentHash ?? null,
  });
  return id;
}

export async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const value = await work();
  return [value, (performance.now() - started) / 1000];
}
