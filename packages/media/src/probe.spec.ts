import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@babelfish/core';
import { summarizeMedia } from './media-summary';
import { assertTranslatableMedia, probeMedia } from './probe';
import { runFfmpeg } from './process';

const JFK = '/work/shared/samples/jfk.mp4';
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'babelfish-probe-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function expectCode(promise: Promise<unknown>, code: string, message?: string): Promise<AppError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe(code);
  if (message) expect((error as AppError).message).toContain(message);
  return error as AppError;
}

describe('probeMedia', () => {
  it('summarises a video with speech', async () => {
    const info = await probeMedia(JFK);
    expect(info.hasVideo).toBe(true);
    expect(info.hasAudio).toBe(true);
    expect(info.durationSeconds).toBeCloseTo(11.6, 1);
    expect(info.formatName).toContain('mp4');
    expect(info.streams.map((stream) => [stream.kind, stream.codec])).toEqual([
      ['video', 'h264'],
      ['audio', 'aac'],
    ]);
    expect(info.streams[1]).toMatchObject({ sampleRate: 16000, channels: 1 });
    expect(() => assertTranslatableMedia(info)).not.toThrow();
    const picture = info.streams[0]!;
    expect(summarizeMedia(info)).toEqual({
      video: { codec: 'h264', width: picture.width, height: picture.height },
      audio: { codec: 'aac', track: 0, channels: 1, channelLayout: 'mono', chosenBy: 'first' },
    });
    expect(picture.width).toBeGreaterThan(0);
  });

  it('rejects a text file, an empty file and a truncated video as unsupported media', async () => {
    const text = join(dir, 'notes.mp4');
    await writeFile(text, 'these are meeting notes, not a video\n'.repeat(20));
    await expectCode(probeMedia(text), 'UNSUPPORTED_MEDIA', 'The file is not a readable video or audio file');

    const empty = join(dir, 'empty.mp4');
    await writeFile(empty, '');
    await expectCode(probeMedia(empty), 'UNSUPPORTED_MEDIA', 'The file is not a readable video or audio file');

    // jfk.mp4 has its index first, so only the media data is cut off: the header alone looks fine.
    const truncated = join(dir, 'truncated.mp4');
    await writeFile(truncated, (await readFile(JFK)).subarray(0, 50_000));
    await expectCode(probeMedia(truncated), 'UNSUPPORTED_MEDIA', 'truncated');
    // Stages re-probing an upload checked at submission may skip that check (one ffprobe run, not two).
    expect((await probeMedia(truncated, { checkComplete: false })).hasVideo).toBe(true);
  });

  it('reports a missing file as not found', async () => {
    await expectCode(probeMedia(join(dir, 'missing.mp4')), 'NOT_FOUND');
  });

  it('refuses a video without an audio track', async () => {
    const silent = join(dir, 'silent.mp4');
    await runFfmpeg(['-f', 'lavfi', '-i', 'color=c=black:s=64x64:d=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-y', silent]);
    const info = await probeMedia(silent);
    expect(info.hasVideo).toBe(true);
    expect(info.hasAudio).toBe(false);
    const error = (() => {
      try {
        assertTranslatableMedia(info);
      } catch (caught) {
        return caught as AppError;
      }
    })();
    expect(error?.code).toBe('NO_AUDIO_TRACK');
    expect(error?.message).toBe('The video has no audio track, so there is no speech to translate');
  });

  it('refuses media whose duration is unknown', () => {
    const info = { path: 'x', durationSeconds: 0, formatName: 'mp4', sizeBytes: 1, streams: [], hasVideo: true, hasAudio: true };
    expect(() => assertTranslatableMedia(info)).toThrow(expect.objectContaining({ code: 'UNSUPPORTED_MEDIA' }));
  });
});
