import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { holdLocalFile } from './held-local-file';
import { createLocalStorage } from './local-storage';
import { createS3Storage } from './s3-storage';
import type { Storage } from './storage';
import { startS3TestServer, type S3TestServer } from './testing/s3-test-server';

const bucket = 'babelfish-held';

describe('holdLocalFile', () => {
  let server: S3TestServer;
  let s3: Storage;
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-held-scratch-'));
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-held-local-'));

  beforeAll(async () => {
    server = await startS3TestServer({ buckets: [bucket] });
    s3 = createS3Storage({ bucket, region: server.region, endpoint: server.endpoint, forcePathStyle: true, presignTtlSeconds: 60, credentials: server.credentials, tmpDir: scratch });
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(scratch, { recursive: true, force: true });
    fs.rmSync(root, { recursive: true, force: true });
  });

  const objectGets = (from: number, key: string) => server.requests.slice(from).filter((request) => request.method === 'GET' && request.url.startsWith(`/${bucket}/${key}`)).length;

  it('downloads an S3 object once for every use until released, then removes the copy', async () => {
    await s3.putBuffer('jobs/held/input', 'video-bytes');
    const from = server.requests.length;
    const input = holdLocalFile(s3, 'jobs/held/input');
    const [first, second] = await Promise.all([input.path(), input.path()]);
    const third = await input.path();
    expect(new Set([first, second, third]).size).toBe(1);
    expect(fs.readFileSync(first, 'utf8')).toBe('video-bytes');
    expect(objectGets(from, 'jobs/held/input')).toBe(1);

    await input.release();
    expect(fs.existsSync(first)).toBe(false);
    await input.release(); // idempotent

    // After a release, a new path() fetches again.
    const again = await input.path();
    expect(fs.readFileSync(again, 'utf8')).toBe('video-bytes');
    expect(objectGets(from, 'jobs/held/input')).toBe(2);
    await input.release();
  });

  it('rejects with the storage error for a missing object, and tries again on the next call', async () => {
    const input = holdLocalFile(s3, 'jobs/held/missing');
    await expect(input.path()).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await s3.putBuffer('jobs/held/missing', 'late');
    expect(fs.readFileSync(await input.path(), 'utf8')).toBe('late');
    await input.release();
  });

  it('hands out the stored file itself on local disk, and release leaves it there', async () => {
    const local = createLocalStorage(root);
    await local.putBuffer('jobs/local/input', 'on-disk');
    const input = holdLocalFile(local, 'jobs/local/input');
    const file = await input.path();
    expect(fs.readFileSync(file, 'utf8')).toBe('on-disk');
    await input.release();
    expect(await local.stat('jobs/local/input')).toMatchObject({ bytes: 7 });
  });
});
