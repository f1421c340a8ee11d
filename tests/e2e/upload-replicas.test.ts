import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { createApiKeyRepository, openDatabase, type DatabaseHandle } from '@babelfish/db';
import { QueueName, createRedisConnection } from '@babelfish/queue';
import { createLocalStorage, createStorage, storageKeys, type Storage } from '@babelfish/storage';
import { startS3TestServer, type S3TestServer } from '@babelfish/storage/testing';
import { spawnApi, type ApiProcess } from '../support/api-process';
import { modelsDir, sample } from '../support/paths';
import { watchJob } from '../support/socket';
import { createPostgresDatabase } from '../support/stack';
import { spawnWorker, type WorkerProcess } from '../support/worker-process';

type UploadAnswer = { upload: { id: string; offset: number } };
type JobAnswer = { job: { id: string } };
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

/**
 * Two API replicas behind one load balancer: one PostgreSQL database, one Redis, one media
 * storage (a storage dir both mount, or an S3 bucket with no shared volume at all), each replica
 * with a data dir of its own. A resumable upload's chunks go to alternate replicas, one is cut off
 * in the middle and resumed on the other from the offset it reports; the stored input is
 * byte-identical to the file, and the job made from it (on a third request, to either replica)
 * completes on the worker.
 */
/** `inputDownloads`: how many times the job's stored input was fetched whole (S3 only). */
type MediaStorage = { env: Record<string, string>; storage: Storage; close: () => Promise<void>; inputDownloads?: (jobId: string) => number };
const mediaStorages: [string, (scratch: string) => Promise<MediaStorage>][] = [
  [
    'a shared storage dir',
    async (scratch) => {
      const dir = path.join(scratch, 'storage');
      return { env: { STORAGE_DIR: dir }, storage: createLocalStorage(dir), close: async () => {} };
    },
  ],
  [
    'S3, no shared volume',
    async () => {
      const server: S3TestServer = await startS3TestServer({ buckets: ['replicas-media'] });
      const s3 = { S3_BUCKET: 'replicas-media', S3_REGION: server.region, S3_ENDPOINT: server.endpoint, S3_FORCE_PATH_STYLE: 'true' };
      const credentials = { AWS_ACCESS_KEY_ID: server.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey };
      Object.assign(process.env, credentials);
      const storage = createStorage({ storage: { driver: 's3', dir: '/nonexistent', s3: { bucket: s3.S3_BUCKET, region: server.region, endpoint: server.endpoint, forcePathStyle: true, presignTtlSeconds: 60 } } });
      const inputDownloads = (jobId: string) => server.requests.filter((request) => request.method === 'GET' && request.url.split('?')[0] === `/replicas-media/${storageKeys.input(jobId)}`).length;
      return { env: { STORAGE_DRIVER: 's3', ...s3, ...credentials }, storage, close: () => server.close(), inputDownloads };
    },
  ],
];

describe.each(mediaStorages)('resumable uploads across API replicas (PostgreSQL, %s)', (_name, openMedia) => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-replicas-'));
  let media: MediaStorage;
  const prefix = `test-replicas-${randomUUID()}`;
  let database: { url: string; drop: () => Promise<void> };
  let keys: DatabaseHandle;
  let replicas: ApiProcess[] = [];
  let worker: WorkerProcess | undefined;
  let key = '';

  const env = (name: string): Record<string, string> => ({
    NODE_ENV: 'test',
    DATA_DIR: path.join(scratch, name),
    UPLOAD_TEMP_DIR: path.join(scratch, name, 'receive'),
    DATABASE_URL: database.url,
    ...media.env,
    REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
    QUEUE_PREFIX: prefix,
    MODELS_DIR: modelsDir,
    ALLOW_REMOTE_MODELS: 'false',
    AUTH_MODE: 'api-key',
  });

  beforeAll(async () => {
    media = await openMedia(scratch);
    database = await createPostgresDatabase();
    replicas = [await spawnApi(env('api-a')), await spawnApi(env('api-b'))];
    keys = openDatabase(database.url);
    key = (await createApiKeyRepository(keys.db).create({ ownerId: 'tester', name: 'test' })).key;
    worker = await spawnWorker(env('worker'));
  });

  afterAll(async () => {
    for (const replica of replicas) await replica.stop();
    await worker?.stop();
    await keys?.close();
    const connection = createRedisConnection(process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379', 'replicas-cleanup');
    for (const name of Object.values(QueueName)) {
      const queue = new Queue(String(name), { connection, prefix });
      await queue.obliterate({ force: true });
      await queue.close();
    }
    connection.disconnect();
    await database?.drop();
    await media?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  const call = (replica: ApiProcess, route: string, init: Omit<RequestInit, 'headers'> & { headers?: Record<string, string> } = {}) =>
    fetch(replica.url + route, { ...init, headers: { Authorization: `Bearer ${key}`, ...init.headers } });

  const patch = (replica: ApiProcess, uploadId: string, offset: number, body: Buffer | ReadableStream<Uint8Array>, extra: Omit<RequestInit, 'headers'> = {}) =>
    call(replica, `/v1/uploads/${uploadId}`, {
      method: 'PATCH',
      headers: { 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream' },
      body,
      ...extra,
    });

  /** The bytes a replica has written of the chunk it is receiving at `offset` (its spool file). */
  const spooledBytes = (replicaName: string, uploadId: string, offset: number): number => {
    const receive = path.join(scratch, replicaName, 'receive');
    for (const folder of fs.existsSync(receive) ? fs.readdirSync(receive) : []) {
      const dir = path.join(receive, folder);
      if (!fs.statSync(dir).isDirectory()) continue;
      const spool = fs.readdirSync(dir).find((name) => name.startsWith(`upload-${uploadId}-${offset}-`));
      if (spool) return fs.statSync(path.join(dir, spool)).size;
    }
    return 0;
  };

  /**
   * A connection lost mid-chunk: half the chunk is sent and, once the replica has written all of
   * it to its spool file, the connection is reset. (Resetting right after sending raced with a
   * busy API: bytes not yet read from the socket are thrown away with it, and the test failed on
   * a loaded host though nothing was wrong.)
   */
  const sendCutOff = async (replica: ApiProcess, replicaName: string, uploadId: string, offset: number, bytes: Buffer) => {
    const request = http.request(`${replica.url}/v1/uploads/${uploadId}`, {
      method: 'PATCH',
      headers: { Authorization: `Bearer ${key}`, 'Upload-Offset': String(offset), 'Content-Type': 'application/offset+octet-stream', 'Content-Length': String(bytes.length * 2) },
    });
    const answered = new Promise<number>((resolve, reject) => {
      request.on('response', (response) => resolve(response.statusCode ?? 0));
      request.on('error', reject);
    });
    request.write(bytes);
    for (let tries = 0; tries < 300 && spooledBytes(replicaName, uploadId, offset) < bytes.length; tries++) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(spooledBytes(replicaName, uploadId, offset)).toBe(bytes.length);
    request.destroy();
    // A body cut short is never answered as if it had arrived whole.
    await expect(answered).rejects.toThrow();
  };

  it('takes chunks on alternate replicas, resumes a cut-off chunk on the other one, and stores the file byte for byte', async () => {
    const video = fs.readFileSync(sample('jfk.mp4'));
    const created = await call(replicas[0]!, '/v1/uploads', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ name: 'jfk.mp4', size: video.length }),
    });
    expect(created.status).toBe(201);
    const uploadId = ((await created.json()) as UploadAnswer).upload.id;

    const chunkSize = Math.ceil(video.length / 6);
    let offset = 0;
    let requests = 0;
    let cutOff = false;
    while (offset < video.length) {
      const replica = replicas[requests % 2]!;
      requests++;
      const chunk = video.subarray(offset, offset + chunkSize);
      if (!cutOff && offset > 0) {
        // A connection lost mid-chunk (sendCutOff).
        cutOff = true;
        await sendCutOff(replica, ['api-a', 'api-b'][(requests - 1) % 2]!, uploadId, offset, chunk.subarray(0, Math.floor(chunk.length / 2)));
        // The other replica reports how far the bytes got (once the first one has written what
        // reached it), and the client resumes from there.
        const other = replicas[requests % 2]!;
        const half = Math.floor(chunk.length / 2);
        let reported = offset;
        for (let tries = 0; tries < 100 && reported < offset + half; tries++) {
          await new Promise((resolve) => setTimeout(resolve, 100));
          reported = ((await (await call(other, `/v1/uploads/${uploadId}`)).json()) as UploadAnswer).upload.offset;
        }
        expect(reported).toBe(offset + half);
        offset = reported;
        continue;
      }
      const sent = await patch(replica, uploadId, offset, chunk);
      expect(sent.status).toBe(200);
      offset = ((await sent.json()) as UploadAnswer).upload.offset;
    }
    expect(offset).toBe(video.length);
    expect(requests).toBeGreaterThanOrEqual(7);

    // The chunks are objects in the media storage; neither replica keeps anything of them.
    const parts = await media.storage.list(`uploads/${uploadId}/parts`);
    expect(parts.reduce((sum, part) => sum + part.bytes, 0)).toBe(video.length);
    expect(parts.length).toBe(requests); // one object per request, the cut-off one's half included
    for (const name of ['api-a', 'api-b']) expect(fs.existsSync(path.join(scratch, name, 'uploads'))).toBe(false);

    const submitted = await call(replicas[requests % 2]!, '/v1/jobs', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ uploadId, to: ['es'], from: 'en' }),
    });
    expect(submitted.status).toBe(202);
    const jobId = ((await submitted.json()) as JobAnswer).job.id;
    const stored = await media.storage.getBuffer(storageKeys.input(jobId));
    expect(sha256(stored)).toBe(sha256(video));
    expect((await call(replicas[0]!, `/v1/uploads/${uploadId}`)).status).toBe(404);
    expect((await call(replicas[1]!, `/v1/uploads/${uploadId}`)).status).toBe(404);

    const watch = await watchJob(replicas[1]!.url, jobId, { apiKey: key });
    const last = await watch.finished;
    watch.close();
    expect(last).toMatchObject({ status: 'completed' });
    for (const replica of replicas) expect(replica.alive()).toBe(true);
    if (media.inputDownloads) {
      // The test's own read above, the transcribe stage's one (probe, hash, thumbnail and
      // extraction share it) and the mux stage's: never one per step.
      expect(media.inputDownloads(jobId)).toBe(3);
    }
    console.log(`upload replicas (${_name}): ${video.length} bytes in ${requests} PATCH requests over 2 replicas (one cut off and resumed), sha256 ${sha256(stored).slice(0, 16)}… identical`);
  });
});
