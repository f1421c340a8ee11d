import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Logger } from '@babelfish/logger';

/** Written in each process's folder: who owns it, rewritten (mtime) on every heartbeat. */
const MARKER = '.owner.json';

type Owner = { pid: number; host: string };

export type ProcessTempDir = { dir: string; sweep: () => Promise<string[]>; close: () => Promise<void> };

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function readOwner(folder: string): Promise<Owner | undefined> {
  try {
    return JSON.parse(await fs.readFile(path.join(folder, MARKER), 'utf8')) as Owner;
  } catch {
    return undefined;
  }
}

/**
 * The scratch folder of one worker (or CLI) process under `base` (os.tmpdir()/babelfish/processes): the
 * stages' WAVs, chunks and mux outputs go in it. A process killed mid-job (SIGKILL, OOM) leaves
 * its folder behind with gigabytes of audio and video; at start-up, and on each heartbeat, the
 * folders of owners that are gone are removed: on this host, a pid that no longer runs; on a
 * temp dir shared between hosts, a heartbeat older than `staleAfterMs`. Live owners' folders
 * are never touched, so processes sharing one temp dir can start and stop in any order.
 */
export async function openProcessTempDir(
  base: string,
  logger: Logger,
  options: {
    heartbeatMs?: number;
    staleAfterMs?: number;
    /** Names this kind of process in the folder name and the log ("worker", "api"). */
    kind?: string;
    /** What the removed left-overs were, for the log line. */
    leftBy?: string;
  } = {},
): Promise<ProcessTempDir> {
  const kind = options.kind ?? 'worker';
  const leftBy = options.leftBy ?? 'temporary files left by stopped workers';
  const heartbeatMs = options.heartbeatMs ?? 60_000;
  const staleAfterMs = options.staleAfterMs ?? 3 * heartbeatMs;
  const host = os.hostname();
  await fs.mkdir(base, { recursive: true, mode: 0o700 });
  const dir = path.join(base, `${kind}-${process.pid}-${randomBytes(4).toString('hex')}`);
  await fs.mkdir(dir, { mode: 0o700 });
  const owner: Owner = { pid: process.pid, host };
  const beat = () => fs.writeFile(path.join(dir, MARKER), JSON.stringify(owner));
  await beat();

  const gone = async (entryPath: string, isDirectory: boolean): Promise<boolean> => {
    const found = isDirectory ? await readOwner(entryPath) : undefined;
    if (found && found.host === host) return !processAlive(found.pid);
    // No marker (a stray file, a folder being created) or another host's: its age decides.
    const lastSign = found ? await fs.stat(path.join(entryPath, MARKER)) : await fs.stat(entryPath);
    return Date.now() - lastSign.mtimeMs >= staleAfterMs;
  };

  const sweep = async (): Promise<string[]> => {
    const removed: string[] = [];
    for (const entry of await fs.readdir(base, { withFileTypes: true })) {
      const entryPath = path.join(base, entry.name);
      if (entryPath === dir) continue;
      const remove = await gone(entryPath, entry.isDirectory()).catch(() => false); // vanished meanwhile
      if (!remove) continue;
      await fs.rm(entryPath, { recursive: true, force: true });
      removed.push(entry.name);
    }
    if (removed.length > 0) logger.info(`removed ${leftBy}`, { entries: removed.length, names: removed });
    return removed;
  };
  await sweep().catch((error: unknown) => logger.warn('temp dir sweep failed', { error: String(error) }));
  const timer = setInterval(() => {
    beat()
      .then(sweep)
      .catch((error: unknown) => logger.warn('temp dir heartbeat failed', { error: String(error) }));
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
