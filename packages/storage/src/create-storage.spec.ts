import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '@babelfish/config';
import { createStorage } from './create-storage';
import { startS3TestServer, type S3TestServer } from './testing/s3-test-server';

describe('createStorage (STORAGE_DRIVER)', () => {
  let server: S3TestServer;
  const saved = { ...process.env };
  beforeAll(async () => {
    server = await startS3TestServer({ buckets: ['babelfish-config-test'] });
  });
  afterAll(async () => {
    process.env = saved;
    await server.close();
  });

  it('defaults to local disk under STORAGE_DIR', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-create-'));
    const storage = createStorage(loadConfig({ STORAGE_DIR: dir }));
    await storage.putBuffer('jobs/a/x.txt', 'local');
    expect(fs.readFileSync(path.join(dir, 'jobs/a/x.txt'), 'utf8')).toBe('local');
    expect(storage.presignDownload).toBeUndefined();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('refuses STORAGE_DRIVER=s3 without a bucket, or with a malformed one, at start-up', () => {
    expect(() => loadConfig({ STORAGE_DRIVER: 's3' })).toThrow(/S3_BUCKET: required when STORAGE_DRIVER=s3/);
    expect(() => loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'Bad_Bucket' })).toThrow(/S3_BUCKET/);
    expect(() => loadConfig({ STORAGE_DRIVER: 'gcs' })).toThrow(/STORAGE_DRIVER/);
  });

  it('parses the S3 settings with their defaults', () => {
    const config = loadConfig({ STORAGE_DRIVER: 's3', S3_BUCKET: 'media-bucket' });
    expect(config.storage).toMatchObject({ driver: 's3', s3: { bucket: 'media-bucket', region: 'us-east-1', forcePathStyle: false, presignTtlSeconds: 900 } });
  });

  it('builds the S3 backend from the environment, credentials from the SDK default chain', async () => {
    // The same variables an operator sets for an S3-compatible server; on ECS the task role
    // replaces the two key variables.
    process.env.AWS_ACCESS_KEY_ID = server.credentials.accessKeyId;
    process.env.AWS_SECRET_ACCESS_KEY = server.credentials.secretAccessKey;
    const config = loadConfig({
      STORAGE_DRIVER: 's3',
      S3_BUCKET: 'babelfish-config-test',
      S3_REGION: server.region,
      S3_ENDPOINT: server.endpoint,
      S3_FORCE_PATH_STYLE: 'true',
      S3_PRESIGN_TTL_SECONDS: '120',
    });
    const storage = createStorage(config);
    expect(await storage.isWritable()).toBe(true);
    await storage.putBuffer('jobs/c/outputs/a.vtt', 'WEBVTT\n');
    const url = await storage.presignDownload!('jobs/c/outputs/a.vtt', 'a.vtt');
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('120');
    expect(await (await fetch(url)).text()).toBe('WEBVTT\n');
    expect(server.requests.every((request) => request.verdict.ok)).toBe(true);
  });
});
