import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sniffContainer } from './container-sniff';

const samples = path.resolve(process.env.SHARED_DIR ?? path.join(__dirname, '../../../../shared'), 'samples');
const jfk = path.join(samples, 'jfk.mp4');

/** Real files (the samples, remuxed by ffmpeg, and cut or damaged copies of them). */
describe('sniffContainer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-sniff-'));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const remux = (name: string, ...args: string[]) => {
    const file = path.join(dir, name);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', jfk, '-c', 'copy', ...args, file]);
    return file;
  };
  const write = (name: string, data: Buffer | string) => {
    const file = path.join(dir, name);
    fs.writeFileSync(file, data);
    return file;
  };

  it('recognises the common containers, with the MP4 movie header duration', async () => {
    expect(await sniffContainer(jfk)).toEqual({ container: 'mp4', durationSeconds: expect.closeTo(11.64, 1) });
    expect(await sniffContainer(remux('fast.mp4', '-movflags', '+faststart'))).toMatchObject({ container: 'mp4' });
    expect(await sniffContainer(remux('clip.mov'))).toMatchObject({ container: 'mp4' });
    expect(await sniffContainer(remux('clip.mkv'))).toEqual({ container: 'matroska' });
    expect(await sniffContainer(remux('clip.ts', '-f', 'mpegts'))).toEqual({ container: 'mpegts' });
    expect(await sniffContainer(path.join(samples, 'jfk.wav'))).toEqual({ container: 'wav' });
    expect(await sniffContainer(path.join(samples, 'es_everest.mp3'))).toEqual({ container: 'mp3' });
  });

  it('leaves cut, damaged and unknown files to ffprobe', async () => {
    const bytes = fs.readFileSync(jfk);
    expect(await sniffContainer(write('cut.mp4', bytes.subarray(0, Math.floor(bytes.length * 0.6))))).toBeUndefined();
    expect(await sniffContainer(write('header.mp4', bytes.subarray(0, 2048)))).toBeUndefined();
    expect(await sniffContainer(write('damaged.mp4', Buffer.concat([bytes.subarray(0, 64), Buffer.alloc(20_000, 7)])))).toBeUndefined();
    expect(await sniffContainer(write('notes.mp4', 'just some text\n'.repeat(50)))).toBeUndefined();
    expect(await sniffContainer(write('noise.mov', Buffer.from(Array.from({ length: 4096 }, (_, i) => (i * 7919) % 256))))).toBeUndefined();
    expect(await sniffContainer(write('empty.mp4', ''))).toBeUndefined();
  });
});
