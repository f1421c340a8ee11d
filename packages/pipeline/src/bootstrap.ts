import os from 'node:os';
import path from 'node:path';
import type { ProgressEvent } from '@babelfish/core';
import type { Config } from '@babelfish/config';
import { createJobRepository, createSubtitleRepository, createTranslationCacheRepository, migrateToLatest, openDatabase, type DatabaseHandle } from '@babelfish/db';
import type { Logger } from '@babelfish/logger';
import { configureModels, createEngineRegistry, getWhisper, type DownloadListener, type InferenceDevices, type SpeechModel, type TextModelRunner } from '@babelfish/ml';
import { createStorage } from '@babelfish/storage';
import type { StageContext } from './context';
import { resolveConfiguredDevices } from './inference-devices';
import { openProcessTempDir } from './process-temp-dir';

export type Services = { ctx: StageContext; database: DatabaseHandle; close: () => Promise<void> };

/** The composition root shared by the worker and the CLI: one database, storage and model set. */
export async function createServices(
  config: Config,
  options: {
    logger: Logger;
    publish?: (event: ProgressEvent) => Promise<void> | void;
    /** Where Whisper runs (the worker passes its inference thread); defaults to this thread, loaded once. */
    whisper?: (onDownload?: DownloadListener, modelId?: string) => Promise<SpeechModel>;
    /** Where NLLB and Marian run (the worker passes its text-model thread); defaults to this thread. */
    textModels?: TextModelRunner;
    /** Devices the caller already resolved (the worker, for its threads); else resolved here, logged, for in-process models (the CLI). */
    devices?: InferenceDevices;
  },
): Promise<Services> {
  const devices = options.devices ?? (await resolveConfiguredDevices(config, options.logger));
  const whisperOptions = { threads: config.models.whisperThreads, batchSize: config.models.whisperBatch, safeguards: config.models.whisperSafeguards, levers: config.models.whisperRuntime };
  const whisper = options.whisper ?? ((onDownload?: DownloadListener, modelId = config.models.whisper) => getWhisper(modelId, config.models.whisperDtype, whisperOptions, onDownload));
  configureModels({ modelsDir: config.models.dir, cacheDir: config.models.cacheDir, allowRemote: config.models.allowRemote, hubUrl: config.models.hubUrl, devices });
  const database = openDatabase(config.databaseUrl, { onIdleConnectionError: (error) => options.logger.warn('database connection dropped; the pool reconnects on the next query', { error: error.message }) });
  await migrateToLatest(database.db);
  // A folder of this process's own, so that what a killed process leaves is found and removed.
  const tmpDir = await openProcessTempDir(path.join(os.tmpdir(), 'babelfish', 'processes'), options.logger);
  const ctx: StageContext = {
    jobs: createJobRepository(database.db),
    subtitles: createSubtitleRepository(database.db, { maxVersions: config.subtitles.maxVersions }),
    storage: createStorage(config),
    engines: createEngineRegistry({
      modelsDir: config.models.dir,
      allowRemote: config.models.allowRemote,
      whisperModelId: config.models.whisper,
      whisperDtype: config.models.whisperDtype,
      whisper,
      textModels: options.textModels,
      llm: config.llm,
      translationCache: createTranslationCacheRepository(database.db),
    }),
    whisper,
    publish: options.publish ?? (() => undefined),
    logger: options.logger,
    tmpDir: tmpDir.dir,
    ffmpeg: config.ffmpeg,
    limits: { maxDurationSeconds: config.http.maxDurationSeconds, maxMediaStreams: config.http.maxMediaStreams },
  };
  return {
    ctx,
    database,
    async close() {
      await database.close();
      await tmpDir.close();
    },
  };
}
