import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { createLocalStorage, createStorage, type Storage } from '@babelfish/storage';
import { startS3TestServer, type S3TestServer } from '@babelfish/storage/testing';
import { createUploadSessions } from './upload-sessions';

/** A body that sends `bytes` and then breaks, as a dropped connection does. */
function cutOffBody(bytes: Buffer): Readable {
  let sent = false;
  return new Readable({
    read() {
      if (!sent) {
        sent = true;
        this.push(bytes);
      } else setImmediate(() => this.destroy(new Error('connection reset')));
    },
  });
}

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-uploads-'));
let s3: S3TestServer | undefined;
afterAll(async () => {
  await s3?.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

const backends: [string, () => Promise<Storage>][] = [
  ['local storage', async () => createLocalStorage(fs.mkdtempSync(path.join(scratch, 'storage-')))],
  [
    'S3',
    async () => {
      s3 = await startS3TestServer({ buckets: ['uploads-test'] });
      // Credentials come from the SDK's default chain, as on ECS (a task role) or with an S3-compatible server.
      process.env.AWS_ACCESS_KEY_ID = s3.credentials.accessKeyId;
      process.env.AWS_SECRET_ACCESS_KEY = s3.credentials.secretAccessKey;
      return createStorage({ storage: { driver: 's3', dir: scratch, s3: { bucket: 'uploads-test', region: s3.region, endpoint: s3.endpoint, forcePathStyle: true, presignTtlSeconds: 60 } } });
    },
  ],
];

describe.each(backends)('resumable upload sessions staged in %s', (_name, open) => {
  let storage: Storage;
  // Two API replicas: one storage, each with a receive folder of its own.
  let replicas: ReturnType<typeof createUploadSessions>[];
  beforeAll(async () => {
    storage = await open();
    replicas = ['a', 'b'].map((name) => {
      const receiveDir = fs.mkdtempSync(path.join(scratch, `receive-${name}-`));
      return createUploadSessions(storage, { maxBytes: 1000, receiveDir });
    });
  });
  const [a, b] = [() => replicas[0]!, () => replicas[1]!];

  it('appends chunks at the right offset on either replica, refuses overflow and stale offsets, keeps what arrived', async () => {
    const session = await a().create({ name: 'a.mp4', size: 10, ownerId: 'o' });
    expect((await a().append(session.id, 'o', 0, Readable.from([Buffer.from('12345')]))).offset).toBe(5);
    await expect(b().append(session.id, 'o', 3, Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'CONFLICT', details: { offset: 5 } });
    await expect(b().append(session.id, 'o', 5, Readable.from([Buffer.from('123456')]))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await b().get(session.id, 'o')).offset).toBe(5);
    await expect(a().completedUpload(session.id, 'o')).rejects.toMatchObject({ code: 'BAD_REQUEST', details: { offset: 5 } });
    // Cut off after two bytes on replica b: those two are kept, and a resumes from offset 7.
    await expect(b().append(session.id, 'o', 5, cutOffBody(Buffer.from('67')))).rejects.toThrow('connection reset');
    expect((await a().get(session.id, 'o')).offset).toBe(7);
    expect((await a().append(session.id, 'o', 7, Readable.from([Buffer.from('890')]))).offset).toBe(10);

    const done = await b().completedUpload(session.id, 'o');
    expect(fs.readFileSync(done.path, 'utf8')).toBe('1234567890');
    expect(done.session).toMatchObject({ name: 'a.mp4', size: 10, offset: 10 });
    await done.release();
    expect(fs.existsSync(done.path)).toBe(false);
    await expect(a().get(session.id, 'someone-else')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await a().remove(session.id);
    await expect(b().get(session.id, 'o')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await storage.list(`uploads/${session.id}`)).toEqual([]);
  });

  it('puts many alternated chunks together byte for byte', async () => {
    const bytes = randomBytes(997);
    const session = await a().create({ name: 'noise.bin', size: bytes.length, ownerId: 'o' });
    let offset = 0;
    for (let turn = 0; offset < bytes.length; turn++) {
      const replica = turn % 2 === 0 ? a() : b();
      offset = (await replica.append(session.id, 'o', offset, Readable.from([bytes.subarray(offset, offset + 97)]))).offset;
    }
    const done = await a().completedUpload(session.id, 'o');
    expect(fs.readFileSync(done.path).equals(bytes)).toBe(true);
    await done.release();
  });

  it('refuses sizes over the limit and odd ids, and sweeps abandoned sessions', async () => {
    await expect(a().create({ name: 'big', size: 1001, ownerId: 'o' })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(a().get('../../etc/passwd', 'o')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const old = await a().create({ name: 'old', size: 5, ownerId: 'o' });
    await a().append(old.id, 'o', 0, Readable.from([Buffer.from('12')]));
    const fresh = await a().create({ name: 'fresh', size: 5, ownerId: 'o' });
    expect(await b().sweepExpired(60_000, Date.now())).toBe(0);
    expect(await b().sweepExpired(60_000, Date.now() + 120_000)).toBeGreaterThanOrEqual(2);
    await expect(a().get(old.id, 'o')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(a().get(fresh.id, 'o')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    expect(await storage.list(`uploads/${old.id}`)).toEqual([]);
  });
});
