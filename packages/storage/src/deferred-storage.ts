import type { Storage } from './storage';

/**
 * A Storage whose backend is built on first use. The S3 backend pulls in the AWS SDK (~200 ms to
 * load); deferring it keeps that cost off every process that only uses local disk (CLI, tests),
 * while `createStorage` stays synchronous for its callers.
 */
export function deferredStorage(load: () => Promise<Storage>): Storage {
  let backend: Promise<Storage> | undefined;
  const get = () => (backend ??= load());
  return {
    putFile: async (key, sourcePath, options) => (await get()).putFile(key, sourcePath, options),
    putBuffer: async (key, data) => (await get()).putBuffer(key, data),
    getBuffer: async (key) => (await get()).getBuffer(key),
    createReadStream: async (key, range) => (await get()).createReadStream(key, range),
    stat: async (key) => (await get()).stat(key),
    withLocalFile: async (key, use) => (await get()).withLocalFile(key, use),
    deletePrefix: async (prefix) => (await get()).deletePrefix(prefix),
    list: async (prefix) => (await get()).list(prefix),
    isWritable: async () => (await get()).isWritable(),
    async presignDownload(key, filename, ttlSeconds) {
      const storage = await get();
      if (!storage.presignDownload) throw new Error('this storage backend cannot presign downloads');
      return storage.presignDownload(key, filename, ttlSeconds);
    },
  };
}
