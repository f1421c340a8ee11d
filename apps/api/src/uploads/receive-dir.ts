import fs from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from '@babelfish/logger';

const HEARTBEAT = '.alive';

/**
 * Where multer writes the files of multipart uploads while a request is handled. Each API
 * process has its own folder with a heartbeat file; at start-up (and on every heartbeat) the
 * folders of processes that stopped beating (crashed, killed) are removed with whatever half-
 * received uploads they held. Replicas sharing one temp dir never touch each other's live folder.
 */
export async function openReceiveDir(base: string, logger: Logger, options: { heartbeatMs?: number; staleAfterMs?: number } = {}) {
  const heartbeatMs = options.heartbeatMs ?? 60_000;
  const staleAfterMs = options.staleAfterMs ?? 3 * heartbeatMs;
  await fs.mkdir(base, { recursive: true, mode: 0o700 });
  const dir = path.join(base, `api-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(dir, { mode: 0o700 });
  const beat = () => fs.writeFile(path.join(dir, HEARTBEAT), String(Date.now()));
  await beat();

  const sweep = async (): Promise<string[]> => {
    const removed: string[] = [];
    for (const entry of await fs.readdir(base, { withFileTypes: true })) {
      const entryPath = path.join(base, entry.name);
      if (entryPath === dir) continue;
      const lastSign = entry.isDirectory() ? await fs.stat(path.join(entryPath, HEARTBEAT)).catch(() => fs.stat(entryPath)) : await fs.stat(entryPath);
      if (Date.now() - lastSign.mtimeMs < staleAfterMs) continue;
      await fs.rm(entryPath, { recursive: true, force: true });
      removed.push(entry.name);
    }
    if (removed.length > 0) logger.info('removed uploads left by stopped API processes', { entries: removed.length });
    return removed;
  };
  await sweep().catch((error: unknown) => logger.warn('upload temp sweep failed', { error: String(error) }));
  const timer = setInterval(() => {
    beat()
      .then(sweep)
      .catch((error: unknown) => logger.warn('upload temp heartbeat failed', { error: String(error) }));
  }, heartbeatMs).unref();

  return {
    dir,
    sweep,
    async close() {
      clearInterval(timer);
      await fs.rm(dir, { recursive: true, force: true });
    },
  };
}
