import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { createUploadSessions } from './upload-sessions';

describe('resumable upload sessions', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-uploads-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
  const uploads = createUploadSessions(dir, 1000);

  it('appends chunks at the right offset, refuses overflow and keeps what arrived', async () => {
    const session = await uploads.create({ name: 'a.mp4', size: 10, ownerId: 'o' });
    expect((await uploads.append(session.id, 'o', 0, Readable.from([Buffer.from('12345')]))).offset).toBe(5);
    await expect(uploads.append(session.id, 'o', 3, Readable.from([Buffer.from('x')]))).rejects.toMatchObject({ code: 'CONFLICT', details: { offset: 5 } });
    await expect(uploads.append(session.id, 'o', 5, Readable.from([Buffer.from('123456')]))).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect((await uploads.get(session.id, 'o')).offset).toBe(5);
    await expect(uploads.completedPath(session.id, 'o')).rejects.toMatchObject({ code: 'BAD_REQUEST' });
    await uploads.append(session.id, 'o', 5, Readable.from([Buffer.from('67890')]));
    const done = await uploads.completedPath(session.id, 'o');
    expect(fs.readFileSync(done.path, 'utf8')).toBe('1234567890');
    await expect(uploads.get(session.id, 'someone-else')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('refuses sizes over the limit and sweeps abandoned sessions', async () => {
    await expect(uploads.create({ name: 'big', size: 1001, ownerId: 'o' })).rejects.toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    await expect(uploads.get('../../etc/passwd', 'o')).rejects.toMatchObject({ code: 'NOT_FOUND' });
    const old = await uploads.create({ name: 'old', size: 5, ownerId: 'o' });
    expect(await uploads.sweepExpired(60_000, Date.now() + 120_000)).toBeGreaterThanOrEqual(1);
    await expect(uploads.get(old.id, 'o')).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });
});
