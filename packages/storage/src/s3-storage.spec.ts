import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Storage } from './storage';
import { createS3Storage, type S3StorageOptions } from './s3-storage';
import { startS3TestServer, type S3TestServer } from './testing/s3-test-server';
import { itBehavesLikeStorage } from './testing/storage-contract';

const MiB = 1024 * 1024;
const bucket = 'babelfish-test';

describe('S3 storage (against s3rver behind a SigV4-enforcing proxy)', () => {
  let server: S3TestServer;
  let storage: Storage;
  let options: S3StorageOptions;
  const tmpDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-s3-scratch-'));

  beforeAll(async () => {
    server = await startS3TestServer({ buckets: [bucket] });
    options = {
      bucket,
      region: server.region,
      endpoint: server.endpoint,
      forcePathStyle: true,
      presignTtlSeconds: 60,
      credentials: server.credentials,
      partSizeBytes: 5 * MiB,
      tmpDir,
    };
    storage = createS3Storage(options);
  });
  afterAll(async () => {
    await server.close();
    fs.rmSync(tmpDir, { recursive: true, force: true });
  });

  describe('storage contract', () => {
    itBehavesLikeStorage(() => storage, { largeFileBytes: 11 * MiB });
  });

  it('signed every request correctly (region, scope, payload hash)', () => {
    expect(server.requests.length).toBeGreaterThan(20);
    expect(server.requests.filter((request) => !request.verdict.ok)).toEqual([]);
  });

  it('uploads a large file as a multipart upload, part by part, and a small one in one PUT', async () => {
    const file = path.join(tmpDir, 'big.bin');
    fs.writeFileSync(file, Buffer.alloc(11 * MiB, 7));
    const from = server.requests.length;
    await storage.putFile('jobs/multipart/input', file);
    const sent = server.requests.slice(from).map((request) => `${request.method} ${request.url.replace(/uploadId=[^&]+/, 'uploadId=ID')}`);
    expect(sent[0]).toMatch(/^POST \/babelfish-test\/jobs\/multipart\/input\?uploads/);
    expect(sent.at(-1)).toMatch(/^POST .*uploadId=ID/);
    // A Set: the SDK may retry a request whose keep-alive socket the server closed meanwhile.
    const parts = new Set(sent.filter((line) => line.startsWith('PUT')).map((line) => /partNumber=(\d+)/.exec(line)?.[1]));
    expect([...parts].sort()).toEqual(['1', '2', '3']);

    const smallFile = path.join(tmpDir, 'small.bin');
    fs.writeFileSync(smallFile, 'tiny');
    const small = server.requests.length;
    await storage.putFile('jobs/multipart/small', smallFile);
    expect(new Set(server.requests.slice(small).map((request) => `${request.method} ${request.url}`))).toEqual(new Set(['PUT /babelfish-test/jobs/multipart/small?x-id=PutObject']));
  });

  it('deletes a prefix with one batch request after listing it', async () => {
    for (const name of ['input', 'audio.wav', 'outputs/a.srt']) await storage.putBuffer(`jobs/batch/${name}`, name);
    const from = server.requests.length;
    await storage.deletePrefix('jobs/batch');
    const sent = server.requests.slice(from).map((request) => `${request.method} ${request.url}`);
    // A Set: the SDK may retry a request whose keep-alive socket the server closed meanwhile.
    expect([...new Set(sent)]).toEqual(['GET /babelfish-test/?list-type=2&prefix=jobs%2Fbatch', 'POST /babelfish-test/?delete=']);
  });

  it('presigns a download a plain HTTP client can fetch, named and typed, and nothing else', async () => {
    await storage.putBuffer('jobs/p/outputs/talk.es.srt', '1\n00:00:00,000 --> 00:00:01,000\nHola\n');
    const url = await storage.presignDownload!('jobs/p/outputs/talk.es.srt', 'Charla été.es.srt');
    expect(new URL(url).searchParams.get('X-Amz-Expires')).toBe('60');
    const response = await fetch(url);
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('Hola');
    expect(response.headers.get('content-disposition')).toBe(`attachment; filename="Charla _t_.es.srt"; filename*=UTF-8''Charla%20%C3%A9t%C3%A9.es.srt`);
    expect(response.headers.get('content-type')).toBe('application/x-subrip');

    const otherKey = url.replace('talk.es.srt', 'talk.fr.srt');
    expect((await fetch(otherKey)).status).toBe(403);
    const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    expect((await fetch(tampered)).status).toBe(403);
  });

  it('presigned URLs stop working after their TTL', async () => {
    await storage.putBuffer('jobs/p/outputs/short.vtt', 'WEBVTT\n');
    const url = await storage.presignDownload!('jobs/p/outputs/short.vtt', 'short.vtt', 1);
    expect((await fetch(url)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    expect((await fetch(url)).status).toBe(403);
  });

  it('removes its temporary download after withLocalFile, even when the work fails', async () => {
    await storage.putBuffer('jobs/t/input', 'bytes');
    let seen = '';
    await expect(
      storage.withLocalFile('jobs/t/input', async (file) => {
        seen = file;
        throw new Error('ffmpeg failed');
      }),
    ).rejects.toThrow('ffmpeg failed');
    expect(seen.startsWith(tmpDir)).toBe(true);
    expect(fs.existsSync(seen)).toBe(false);
    expect(fs.readdirSync(tmpDir).filter((name) => name.startsWith('babelfish-s3-'))).toEqual([]);
  });

  it('fails loudly with wrong credentials instead of reporting files missing', async () => {
    const wrong = createS3Storage({ ...options, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'not-the-secret' } });
    await expect(wrong.stat('jobs/t/input')).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    expect(await wrong.isWritable()).toBe(false);
    const wrongRegion = createS3Storage({ ...options, region: 'us-west-2' });
    await expect(wrongRegion.getBuffer('jobs/t/input')).rejects.toMatchObject({ name: 'AuthorizationHeaderMalformed' });
  });
});
