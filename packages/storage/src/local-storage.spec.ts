import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from '@babelfish/core';
import { assertSafeKey, createLocalStorage, safeFileStem } from './index';
import { itBehavesLikeStorage } from './testing/storage-contract';

describe('local storage', () => {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-storage-'));
  afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

  describe('storage contract', () => {
    itBehavesLikeStorage(() => createLocalStorage(root), { largeFileBytes: 11 * 1024 * 1024 });
  });

  it('keeps files under its root and has no presigned URLs', async () => {
    const storage = createLocalStorage(root);
    await storage.putBuffer('jobs/a/transcript.json', '{"x":1}');
    expect(fs.readFileSync(path.join(root, 'jobs/a/transcript.json'), 'utf8')).toBe('{"x":1}');
    expect(storage.presignDownload).toBeUndefined();
  });

  it('is not writable when its root cannot be created', async () => {
    const file = path.join(root, 'a-file');
    fs.writeFileSync(file, 'x');
    expect(await createLocalStorage(path.join(file, 'sub')).isWritable()).toBe(false);
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
