import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { AppError } from '@babelfish/core';
import type { S3Settings } from '@babelfish/config';
import { attachmentDisposition, contentTypeFor } from './content-disposition';
import { assertSafeKey } from './keys';
import type { Storage, StoredObject } from './storage';

export type S3StorageOptions = S3Settings & {
  /** Explicit credentials (tests, S3-compatible servers); otherwise the SDK's default chain. */
  credentials?: S3ClientConfig['credentials'];
  /** Multipart part size. 16 MiB keeps a 2 GiB upload at 128 parts, far under S3's 10,000. */
  partSizeBytes?: number;
  /** Where `withLocalFile` downloads to (the worker's scratch volume). */
  tmpDir?: string;
};

const MiB = 1024 * 1024;
// S3 deletes at most 1000 keys per DeleteObjects request.
const deleteBatch = 1000;

export function createS3Client(options: S3StorageOptions): S3Client {
  return new S3Client({
    region: options.region,
    endpoint: options.endpoint,
    forcePathStyle: options.forcePathStyle,
    credentials: options.credentials,
  });
}

function isNotFound(error: unknown): boolean {
  const e = error as { name?: string; $metadata?: { httpStatusCode?: number } };
  return e?.name === 'NoSuchKey' || e?.name === 'NotFound' || e?.$metadata?.httpStatusCode === 404;
}

export function createS3Storage(options: S3StorageOptions, client: S3Client = createS3Client(options)): Storage {
  const Bucket = options.bucket;
  const partSize = Math.max(5 * MiB, options.partSizeBytes ?? 16 * MiB); // S3's minimum part is 5 MiB
  const tmpRoot = options.tmpDir ?? os.tmpdir();

  async function getObject(key: string, range?: { start: number; end: number }) {
    try {
      return await client.send(
        new GetObjectCommand({ Bucket, Key: assertSafeKey(key), Range: range ? `bytes=${range.start}-${range.end}` : undefined }),
      );
    } catch (error) {
      if (isNotFound(error)) throw new AppError('NOT_FOUND', `Stored file ${key} does not exist`);
      throw error;
    }
  }

  async function listObjects(prefix: string): Promise<StoredObject[]> {
    const found: StoredObject[] = [];
    let ContinuationToken: string | undefined;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket, Prefix: prefix, ContinuationToken }));
      for (const item of page.Contents ?? []) if (item.Key) found.push({ key: item.Key, bytes: item.Size ?? 0 });
      ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (ContinuationToken);
    return found;
  }
  const listKeys = async (prefix: string) => (await listObjects(prefix)).map((item) => item.key);

  return {
    async putFile(key, sourcePath, putOptions = {}) {
      assertSafeKey(key);
      const { size } = await fsp.stat(sourcePath);
      // lib-storage sends one PutObject below partSize and a multipart upload above it, streaming
      // from disk (never the whole file in memory); a failed multipart upload is aborted.
      const upload = new Upload({ client, params: { Bucket, Key: key, Body: fs.createReadStream(sourcePath) }, partSize, queueSize: 4 });
      await upload.done();
      if (putOptions.move) await fsp.rm(sourcePath, { force: true });
      return { key, bytes: size };
    },
    async putBuffer(key, data) {
      const body = typeof data === 'string' ? Buffer.from(data) : data;
      await client.send(new PutObjectCommand({ Bucket, Key: assertSafeKey(key), Body: body, ContentLength: body.length }));
      return { key, bytes: body.length };
    },
    async getBuffer(key) {
      const object = await getObject(key);
      return Buffer.from(await object.Body!.transformToByteArray());
    },
    async createReadStream(key, range): Promise<Readable> {
      // In Node the SDK's body is the HTTP response stream itself: bytes flow as they arrive.
      return (await getObject(key, range)).Body as Readable;
    },
    async stat(key): Promise<StoredObject | undefined> {
      try {
        const head = await client.send(new HeadObjectCommand({ Bucket, Key: assertSafeKey(key) }));
        return { key, bytes: head.ContentLength ?? 0 };
      } catch (error) {
        // Only "not there" means undefined; a permission or network fault must surface.
        if (isNotFound(error)) return undefined;
        throw error;
      }
    },
    async withLocalFile(key, use) {
      // ffmpeg needs a seekable file, so the object is downloaded to scratch space and removed after.
      const dir = await fsp.mkdtemp(path.join(tmpRoot, 'babelfish-s3-'));
      try {
        const file = path.join(dir, path.basename(key));
        const object = await getObject(key);
        await pipeline(object.Body as Readable, fs.createWriteStream(file));
        return await use(file);
      } finally {
        await fsp.rm(dir, { recursive: true, force: true });
      }
    },
    async deletePrefix(prefix) {
      assertSafeKey(prefix);
      // Same meaning as removing a folder on disk: the key itself and everything under "prefix/",
      // never a sibling that merely starts with the same characters (jobs/a vs jobs/ab).
      const keys = (await listKeys(prefix)).filter((key) => key === prefix || key.startsWith(`${prefix}/`));
      for (let i = 0; i < keys.length; i += deleteBatch) {
        const Objects = keys.slice(i, i + deleteBatch).map((Key) => ({ Key }));
        const result = await client.send(new DeleteObjectsCommand({ Bucket, Delete: { Objects, Quiet: true } }));
        if (result.Errors?.length) {
          throw new AppError('INTERNAL', `Could not delete ${result.Errors.length} object(s) under ${prefix}: ${result.Errors[0]?.Code}`);
        }
      }
    },
    async list(prefix) {
      assertSafeKey(prefix);
      const found = (await listObjects(`${prefix}/`)).filter((item) => item.key.startsWith(`${prefix}/`));
      return found.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    },
    async isWritable() {
      const Key = `.write-probe/${randomUUID()}`;
      try {
        await client.send(new PutObjectCommand({ Bucket, Key, Body: 'ok' }));
        await client.send(new DeleteObjectCommand({ Bucket, Key }));
        return true;
      } catch {
        return false;
      }
    },
    async presignDownload(key, filename, ttlSeconds = options.presignTtlSeconds) {
      const command = new GetObjectCommand({
        Bucket,
        Key: assertSafeKey(key),
        ResponseContentDisposition: attachmentDisposition(filename),
        ResponseContentType: contentTypeFor(filename),
      });
      return getSignedUrl(client, command, { expiresIn: ttlSeconds });
    },
  };
}
