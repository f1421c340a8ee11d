import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '@babelfish/core';
import { assertSafeKey, createLocalStorage, safeFileStem } from './index';

describe('local storage', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-storage-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  it('stores, reads, streams and deletes by prefix', async () => {
    const storage = createLocalStorage(root);
    expect(await storage.isWritable()).toBe(true);
    await storage.putBuffer('jobs/a/transcript.json', '{"x":1}');
    expect((await storage.getBuffer('jobs/a/transcript.json')).toString()).toBe('{"x":1}');
    const source = path.join(root, 'upload.tmp');
    fs.writeFileSync(source, 'video-bytes');
    expect(await storage.putFile('jobs/a/input', source, { move: true })).toEqual({ key: 'jobs/a/input', bytes: 11 });
    expect(fs.existsSync(source)).toBe(false);
    const chunks: Buffer[] = [];
    for await (const chunk of await storage.createReadStream('jobs/a/input')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('video-bytes');
    expect(await storage.withLocalFile('jobs/a/input', async (file) => fs.readFileSync(file, 'utf8'))).toBe('video-bytes');
    await storage.deletePrefix('jobs/a');
    expect(await storage.stat('jobs/a/input')).toBeUndefined();
    await expect(storage.getBuffer('jobs/a/input')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses keys that escape the root', () => {
    for (const key of ['../etc/passwd', 'jobs/../../x', '/abs', 'a//b', 'jobs/a b']) {
      expect(() => assertSafeKey(key)).toThrow(AppError);
    }
  });

  it('turns hostile file names into safe stems', () => {
    expect(safeFileStem('../../etc/passwd')).toBe('passwd');
    expect(safeFileStem('$(rm -rf ~); talk.mp4')).toBe('rm-rf-talk');
    expect(safeFileStem('Conférence été.mov')).toBe('Conference-ete');
    expect(safeFileStem('.mp4')).toBe('video');
  });
});
