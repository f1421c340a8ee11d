import fsp from 'node:fs/promises';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { AppError } from '@babelfish/core';
import type { Storage } from '@babelfish/storage';

export type UploadSession = { id: string; ownerId: string; name: string; size: number; offset: number; createdAt: string };
type SessionMeta = Omit<UploadSession, 'offset'>;
/** A finished upload put together as one local file; `release` removes that file. */
export type CompletedUpload = { path: string; session: UploadSession; release: () => Promise<void> };

const idPattern = /^[0-9a-f-]{36}$/;
const offsetDigits = 15; // up to ~1 PB: zero-padded so that key order is offset order

const uploadKeys = {
  prefix: (id: string) => `uploads/${id}`,
  session: (id: string) => `uploads/${id}/session.json`,
  parts: (id: string) => `uploads/${id}/parts`,
  part: (id: string, offset: number) => `uploads/${id}/parts/${String(offset).padStart(offsetDigits, '0')}`,
};

/**
 * Resumable uploads (the tus idea, minimal): create a session with the total size, append
 * chunks at the offset the server reports, resume after a dropped connection from that offset.
 *
 * Everything lives in the media storage (local disk or S3), never on the replica that took a
 * request: the session as `uploads/<id>/session.json`, each chunk as an object named by the
 * offset it starts at. So any API replica can take any chunk, with no shared volume needed on
 * S3. The offset is the length of the unbroken run of parts from byte 0. A chunk is spooled to
 * this process's receive folder first (S3 needs its length; a cut-off chunk is kept up to where
 * it broke, as tus does), then stored as one object.
 */
export function createUploadSessions(storage: Storage, options: { maxBytes: number; receiveDir: string }) {
  const { maxBytes, receiveDir } = options;
  const spoolPath = (id: string, what: string) => path.join(receiveDir, `upload-${id}-${what}-${randomUUID()}`);

  async function readMeta(id: string): Promise<SessionMeta | undefined> {
    try {
      return JSON.parse((await storage.getBuffer(uploadKeys.session(id))).toString('utf8')) as SessionMeta;
    } catch (error) {
      if (error instanceof AppError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }

  /** The parts that make up the bytes received so far, in order, and how far they reach. */
  async function receivedParts(id: string): Promise<{ parts: { key: string; offset: number; bytes: number }[]; offset: number }> {
    const parts: { key: string; offset: number; bytes: number }[] = [];
    let offset = 0;
    for (const object of await storage.list(uploadKeys.parts(id))) {
      const start = Number(object.key.slice(object.key.lastIndexOf('/') + 1));
      // Parts are written only at the offset reached, so a gap or an overlap means a chunk that
      // lost a race with another replica's copy of it; the run stops there and the client resends.
      if (start !== offset || object.bytes === 0) break;
      parts.push({ key: object.key, offset: start, bytes: object.bytes });
      offset += object.bytes;
    }
    return { parts, offset };
  }

  /** Another owner's upload is reported as missing, like any unknown id. */
  async function get(id: string, ownerId: string): Promise<UploadSession> {
    if (!idPattern.test(id)) throw new AppError('NOT_FOUND', `Upload ${id} not found`);
    const meta = await readMeta(id);
    if (!meta || meta.ownerId !== ownerId) throw new AppError('NOT_FOUND', `Upload ${id} not found (expired or already used)`);
    return { ...meta, offset: Math.min((await receivedParts(id)).offset, meta.size) };
  }

  return {
    get,

    async create(input: { name: string; size: number; ownerId: string }): Promise<UploadSession> {
      if (!Number.isSafeInteger(input.size) || input.size <= 0) throw new AppError('BAD_REQUEST', 'size must be a positive whole number of bytes');
      if (input.size > maxBytes) throw new AppError('PAYLOAD_TOO_LARGE', `The file is larger than the limit of ${maxBytes} bytes`);
      const meta: SessionMeta = { id: randomUUID(), ownerId: input.ownerId, name: String(input.name ?? 'video').slice(0, 255), size: input.size, createdAt: new Date().toISOString() };
      await storage.putBuffer(uploadKeys.session(meta.id), JSON.stringify(meta));
      return { ...meta, offset: 0 };
    },

    /** Appends a chunk written at `offset`; a stale offset gets 409 with the real one. */
    async append(id: string, ownerId: string, offset: number, body: Readable): Promise<UploadSession> {
      const session = await get(id, ownerId);
      if (offset !== session.offset) {
        throw new AppError('CONFLICT', `Upload-Offset ${offset} does not match the ${session.offset} bytes received`, { offset: session.offset });
      }
      const room = session.size - session.offset;
      const spool = spoolPath(id, String(offset));
      try {
        let failure: unknown;
        let received = 0;
        const file = await fsp.open(spool, 'w');
        try {
          // Written chunk by chunk and awaited, so whatever arrived before a cut-off is on disk.
          for await (const chunk of body as AsyncIterable<Buffer>) {
            if (received + chunk.length > room) {
              received = 0; // a chunk past the declared size keeps nothing
              throw new AppError('PAYLOAD_TOO_LARGE', `The chunk goes past the declared size of ${session.size} bytes`);
            }
            await file.write(chunk);
            received += chunk.length;
          }
        } catch (error) {
          failure = error;
        } finally {
          await file.close();
        }
        // A chunk cut off midway keeps the whole bytes that arrived, so the client resumes from there.
        if (received > 0) await storage.putFile(uploadKeys.part(id, offset), spool, { move: true });
        if (failure) throw failure;
      } finally {
        await fsp.rm(spool, { force: true });
      }
      return get(id, ownerId);
    },

    /** The finished file, put together in this process's receive folder; call `release` when done with it. */
    async completedUpload(id: string, ownerId: string): Promise<CompletedUpload> {
      const session = await get(id, ownerId);
      if (session.offset !== session.size) {
        throw new AppError('BAD_REQUEST', `Upload ${id} is incomplete: ${session.offset} of ${session.size} bytes received`, { offset: session.offset });
      }
      const file = spoolPath(id, 'complete');
      const release = () => fsp.rm(file, { force: true });
      try {
        // One file handle for every part (streams piped into one writable pile up listeners).
        const out = await fsp.open(file, 'w');
        try {
          for (const part of (await receivedParts(id)).parts) {
            for await (const chunk of await storage.createReadStream(part.key)) await out.write(chunk as Buffer);
          }
        } finally {
          await out.close();
        }
        const assembled = (await fsp.stat(file)).size;
        if (assembled !== session.size) throw new AppError('INTERNAL', `Upload ${id} put together to ${assembled} of ${session.size} bytes`);
      } catch (error) {
        await release();
        throw error;
      }
      return { path: file, session, release };
    },

    /** Drops sessions nobody finished (or used) within `maxAgeMs`, so abandoned parts don't fill the storage. */
    async sweepExpired(maxAgeMs: number, now = Date.now()): Promise<number> {
      const ids = new Set((await storage.list('uploads')).map((object) => object.key.split('/')[1]!).filter((id) => idPattern.test(id)));
      let removed = 0;
      for (const id of ids) {
        const meta = await readMeta(id).catch(() => undefined);
        if (!meta || now - Date.parse(meta.createdAt) > maxAgeMs) {
          await storage.deletePrefix(uploadKeys.prefix(id));
          removed += 1;
        }
      }
      return removed;
    },

    async remove(id: string): Promise<void> {
      if (idPattern.test(id)) await storage.deletePrefix(uploadKeys.prefix(id));
    },
  };
}

export type UploadSessions = ReturnType<typeof createUploadSessions>;
