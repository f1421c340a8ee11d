import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { Storage } from '../storage';

/**
 * The behaviour every Storage backend owes its callers, run against each backend (local disk and
 * S3) so stage and API code can switch STORAGE_DRIVER without noticing. Call inside a describe;
 * `storage()` is read lazily because backends are built in beforeAll.
 */
export function itBehavesLikeStorage(storage: () => Storage, options: { largeFileBytes: number }): void {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-contract-'));
  afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const id = () => crypto.randomUUID();
  const read = async (stream: Readable) => {
    const chunks: Buffer[] = [];
    for await (const chunk of stream) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };
  const source = (name: string, data: Buffer | string) => {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, data);
    return file;
  };

  it('reports itself writable', async () => {
    expect(await storage().isWritable()).toBe(true);
  });

  it('round-trips buffers and strings, and overwrites', async () => {
    const key = `jobs/${id()}/transcript.json`;
    expect(await storage().putBuffer(key, '{"x":1}')).toEqual({ key, bytes: 7 });
    expect((await storage().getBuffer(key)).toString()).toBe('{"x":1}');
    await storage().putBuffer(key, Buffer.from([0, 255, 1]));
    expect([...(await storage().getBuffer(key))]).toEqual([0, 255, 1]);
    expect(await storage().stat(key)).toEqual({ key, bytes: 3 });
  });

  it('stores a file by copy or by move', async () => {
    const copied = source('copy.bin', 'video-bytes');
    const key = `jobs/${id()}/input`;
    expect(await storage().putFile(key, copied)).toEqual({ key, bytes: 11 });
    expect(fs.existsSync(copied)).toBe(true);
    const moved = source('move.bin', 'moved-bytes!');
    expect(await storage().putFile(`${key}-2`, moved, { move: true })).toEqual({ key: `${key}-2`, bytes: 12 });
    expect(fs.existsSync(moved)).toBe(false);
    expect((await storage().getBuffer(`${key}-2`)).toString()).toBe('moved-bytes!');
  });

  it('streams a whole object and an inclusive byte range', async () => {
    const key = `jobs/${id()}/input`;
    await storage().putBuffer(key, '0123456789');
    expect((await read(await storage().createReadStream(key))).toString()).toBe('0123456789');
    expect((await read(await storage().createReadStream(key, { start: 2, end: 5 }))).toString()).toBe('2345');
    expect((await read(await storage().createReadStream(key, { start: 9, end: 9 }))).toString()).toBe('9');
  });

  it(`stores and reads back a large file intact`, async () => {
    const data = crypto.randomBytes(options.largeFileBytes);
    const key = `jobs/${id()}/input`;
    expect(await storage().putFile(key, source('large.bin', data))).toEqual({ key, bytes: data.length });
    expect(await storage().stat(key)).toEqual({ key, bytes: data.length });
    const digest = await storage().withLocalFile(key, async (file) => crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex'));
    expect(digest).toBe(crypto.createHash('sha256').update(data).digest('hex'));
  });

  it('hands out a local file path for ffmpeg', async () => {
    const key = `jobs/${id()}/audio.wav`;
    await storage().putBuffer(key, 'RIFF-bytes');
    expect(await storage().withLocalFile(key, async (file) => fs.readFileSync(file, 'utf8'))).toBe('RIFF-bytes');
  });

  it('says NOT_FOUND for a missing key on every read path', async () => {
    const key = `jobs/${id()}/missing`;
    expect(await storage().stat(key)).toBeUndefined();
    await expect(storage().getBuffer(key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(storage().createReadStream(key)).rejects.toMatchObject({ code: 'NOT_FOUND' });
    await expect(storage().withLocalFile(key, async () => 'used')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('deletes a prefix like a folder: everything under it, no sibling', async () => {
    const job = id();
    await storage().putBuffer(`jobs/${job}/input`, 'a');
    await storage().putBuffer(`jobs/${job}/outputs/talk.es.srt`, 'b');
    await storage().putBuffer(`jobs/${job}x/input`, 'sibling');
    await storage().deletePrefix(`jobs/${job}`);
    expect(await storage().stat(`jobs/${job}/input`)).toBeUndefined();
    expect(await storage().stat(`jobs/${job}/outputs/talk.es.srt`)).toBeUndefined();
    expect((await storage().getBuffer(`jobs/${job}x/input`)).toString()).toBe('sibling');
    await expect(storage().deletePrefix(`jobs/${id()}`)).resolves.toBeUndefined();
  });

  it('lists a prefix like a folder: every object under it with its size, sorted, no sibling', async () => {
    const upload = id();
    await storage().putBuffer(`uploads/${upload}/parts/000000000010`, 'second');
    await storage().putBuffer(`uploads/${upload}/parts/000000000000`, 'first.....');
    await storage().putBuffer(`uploads/${upload}/session.json`, '{}');
    await storage().putBuffer(`uploads/${upload}x/session.json`, 'sibling');
    expect(await storage().list(`uploads/${upload}`)).toEqual([
      { key: `uploads/${upload}/parts/000000000000`, bytes: 10 },
      { key: `uploads/${upload}/parts/000000000010`, bytes: 6 },
      { key: `uploads/${upload}/session.json`, bytes: 2 },
    ]);
    expect(await storage().list(`uploads/${upload}/parts`)).toHaveLength(2);
    expect(await storage().list(`uploads/${id()}`)).toEqual([]);
    await expect(storage().list('../etc')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('refuses keys that could escape or name something odd', async () => {
    for (const key of ['../etc/passwd', 'jobs/../../x', '/abs', 'a//b', 'jobs/a b']) {
      await expect(storage().putBuffer(key, 'x')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
      await expect(storage().getBuffer(key)).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    }
    await expect(storage().deletePrefix('..')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
  });
}
