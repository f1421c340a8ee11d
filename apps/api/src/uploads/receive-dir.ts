import type { Logger } from '@babelfish/logger';
import { openProcessTempDir, type ProcessTempDir } from '@babelfish/pipeline';

/**
 * Where multer writes the files of multipart uploads while a request is handled: a folder of
 * this API process's own under `base`, kept alive by a heartbeat; at start-up (and on every
 * heartbeat) the folders of processes that are gone (crashed, killed) are removed with whatever
 * half-received uploads they held. Replicas sharing one temp dir never touch each other's live
 * folder. The same mechanism as the workers' scratch folders (process-temp-dir.ts).
 */
export function openReceiveDir(base: string, logger: Logger, options: { heartbeatMs?: number; staleAfterMs?: number } = {}): Promise<ProcessTempDir> {
  return openProcessTempDir(base, logger, { ...options, kind: 'api', leftBy: 'uploads left by stopped API processes' });
}
