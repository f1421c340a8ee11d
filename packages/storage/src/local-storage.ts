import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { AppError } from '@babelfish/core';
import { assertSafeKey } from './keys';
import type { Storage, StoredObject } from './storage';

export function createLocalStorage(root: string): Storage {
  const absoluteRoot = path.resolve(root);
  const pathOf = (key: string) => path.join(absoluteRoot, assertSafeKey(key));

  async function ensureParent(file: string) {
    await fsp.mkdir(path.dirname(file), { recursive: true });
  }

  async function statKey(key: string): Promise<StoredObject | undefined> {
    const file = pathOf(key); // an unsafe key is a BAD_REQUEST, not "not found"
    try {
      const info = await fsp.stat(file);
      return info.isFile() ? { key, bytes: info.size } : undefined;
    } catch {
      return undefined;
    }
  }

  async function requireKey(key: string): Promise<string> {
    if (!(await statKey(key))) throw new AppError('NOT_FOUND', `Stored file ${key} does not exist`);
    return pathOf(key);
  }

  return {
    async putFile(key, sourcePath, options = {}) {
      const target = pathOf(key);
      await ensureParent(target);
      // Write to a sibling temp name then rename, so readers never see half a file.
      const temp = `${target}.partial-${process.pid}`;
      if (options.move) {
        try {
          await fsp.rename(sourcePath, temp);
        } catch {
          await fsp.copyFile(sourcePath, temp);
          await fsp.rm(sourcePath, { force: true });
        }
      } else {
        await fsp.copyFile(sourcePath, temp);
      }
      await fsp.rename(temp, target);
      return { key, bytes: (await fsp.stat(target)).size };
    },
    async putBuffer(key, data) {
      const target = pathOf(key);
      await ensureParent(target);
      const temp = `${target}.partial-${process.pid}`;
      await fsp.writeFile(temp, data);
      await fsp.rename(temp, target);
      return { key, bytes: (await fsp.stat(target)).size };
    },
    async getBuffer(key) {
      return fsp.readFile(await requireKey(key));
    },
    async createReadStream(key, range): Promise<Readable> {
      return fs.createReadStream(await requireKey(key), range ? { start: range.start, end: range.end } : {});
    },
    stat: statKey,
    async withLocalFile(key, use) {
      return use(await requireKey(key));
    },
    async deletePrefix(prefix) {
      await fsp.rm(pathOf(prefix), { recursive: true, force: true });
    },
    async list(prefix) {
      const base = pathOf(prefix);
      const entries = await fsp.readdir(base, { recursive: true, withFileTypes: true }).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
        throw error;
      });
      const found: StoredObject[] = [];
      for (const entry of entries) {
        // Files being written (putFile's sibling temp names) are not objects yet.
        if (!entry.isFile() || entry.name.includes('.partial-')) continue;
        const file = path.join(entry.parentPath, entry.name);
        const info = await fsp.stat(file).catch(() => undefined);
        if (info) found.push({ key: path.relative(absoluteRoot, file).split(path.sep).join('/'), bytes: info.size });
      }
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async isWritable() {
      try {
        await fsp.mkdir(absoluteRoot, { recursive: true });
        const probe = path.join(absoluteRoot, `.write-probe-${process.pid}`);
        await fsp.writeFile(probe, 'ok');
        await fsp.rm(probe);
        return true;
      } catch {
        return false;
      }
    },
  };
}
