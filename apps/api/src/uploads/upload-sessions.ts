import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@babelfish/core';

export type UploadSession = { id: string; ownerId: string; name: string; size: number; offset: number; createdAt: string };
type SessionMeta = Omit<UploadSession, 'offset'>;

const idPattern = /^[0-9a-f-]{36}$/;

/**
 * Resumable uploads (the tus idea, minimal): create a session with the total size, append
 * chunks at the offset the server reports, resume after a dropped connection from that offset.
 * The bytes so far live in a staging dir; the session's offset is simply the file's size.
 */
export function createUploadSessions(dir: string, maxBytes: number) {
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const dataPath = (id: string) => path.join(dir, `${id}.part`);
  const metaPath = (id: string) => path.join(dir, `${id}.json`);

  /** Another owner's upload is reported as missing, like any unknown id. */
  async function get(id: string, ownerId: string): Promise<UploadSession> {
    if (!idPattern.test(id)) throw new AppError('NOT_FOUND', `Upload ${id} not found`);
    const meta = await fsp.readFile(metaPath(id), 'utf8').then((text) => JSON.parse(text) as SessionMeta).catch(() => undefined);
    if (!meta || meta.ownerId !== ownerId) throw new AppError('NOT_FOUND', `Upload ${id} not found (expired or already used)`);
    const offset = (await fsp.stat(dataPath(id)).catch(() => ({ size: 0 }))).size;
    return { ...meta, offset };
  }

  return {
    get,

    async create(input: { name: string; size: number; ownerId: string }): Promise<UploadSession> {
      if (!Number.isSafeInteger(input.size) || input.size <= 0) throw new AppError('BAD_REQUEST', 'size must be a positive whole number of bytes');
      if (input.size > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the limit of ${maxBytes} bytes`);
      const meta: SessionMeta = { id: randomUUID(), ownerId: input.ownerId, name: String(input.name ?? 'video').slice(0, 255), size: input.size, createdAt: new Date().toISOString() };
      await fsp.writeFile(dataPath(meta.id), '');
      await fsp.writeFile(metaPath(meta.id), JSON.stringify(meta));
      return { ...meta, offset: 0 };
    },

    /** Appends a chunk written at `offset`; a stale offset gets 409 with the real one. */
    async append(id: string, ownerId: string, offset: number, body: Readable): Promise<UploadSession> {
      const session = await get(id, ownerId);
      if (offset !== session.offset) {
        throw new AppError('CONFLICT', `Upload-Offset ${offset} does not match the ${session.offset} bytes received`, { offset: session.offset });
      }
      const room = session.size - session.offset;
      let written = 0;
      const limit = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          written += chunk.length;
          if (written > room) done(new AppError('PAYLOAD_TOO_LARGE', `The chunk goes past the declared size of ${session.size} bytes`));
          else done(null, chunk);
        },
      });
      try {
        await pipeline(body, limit, fs.createWriteStream(dataPath(id), { flags: 'a' }));
      } catch (error) {
        // Keep whole bytes received so far only up to the declared size; a client resumes from there.
        const size = (await fsp.stat(dataPath(id))).size;
        if (size > session.size) await fsp.truncate(dataPath(id), session.offset);
        throw error;
      }
      return get(id, ownerId);
    },

    /** The finished file's path; the caller moves it into storage and then calls `remove`. */
    async completedPath(id: string, ownerId: string): Promise<{ path: string; session: UploadSession }> {
      const session = await get(id, ownerId);
      if (session.offset !== session.size) {
        throw new AppError('BAD_REQUEST', `Upload ${id} is incomplete: ${session.offset} of ${session.size} bytes received`, { offset: session.offset });
      }
      return { path: dataPath(id), session };
    },

    /** Drops sessions nobody finished (or used) within `maxAgeMs`, so abandoned parts don't fill the disk. */
    async sweepExpired(maxAgeMs: number, now = Date.now()): Promise<number> {
      let removed = 0;
      for (const entry of await fsp.readdir(dir)) {
        if (!entry.endsWith('.json')) continue;
        const id = entry.slice(0, -'.json'.length);
        const meta = await fsp.readFile(metaPath(id), 'utf8').then((text) => JSON.parse(text) as SessionMeta).catch(() => undefined);
        if (!meta || now - Date.parse(meta.createdAt) > maxAgeMs) {
          await fsp.rm(dataPath(id), { force: true });
          await fsp.rm(metaPath(id), { force: true });
          removed += 1;
        }
      }
      return removed;
    },

    async remove(id: string): Promise<void> {
      await fsp.rm(dataPath(id), { force: true });
      await fsp.rm(metaPath(id), { force: true });
    },
  };
}

export type UploadSessions = ReturnType<typeof createUploadSessions>;
