import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '@babelfish/core';
import { decodePcmF32, extractAudioWav } from './audio';
import { decodeMono } from './audio-energy';
import { describeHead, isAcceptedFormat, userMediaInput, userMediaProbeInput, whitelistRefusal } from './input-policy';
import { probeMedia } from './probe';
import { runFfmpeg, runFfprobeJson } from './process';

const ffmpeg = (...args: string[]) => execFileSync('ffmpeg', ['-v', 'error', '-y', ...args]);
let dir: string;
/** A 30 s video with sound: the "other tenant's file" the hostile scripts point at. */
let longVideo: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'babelfish-policy-'));
  longVideo = join(dir, 'someone-elses-output.mp4');
  ffmpeg('-f', 'lavfi', '-i', 'sine=d=30', '-f', 'lavfi', '-i', 'color=c=red:s=64x64:d=30', '-shortest', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', longVideo);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function caught(promise: Promise<unknown>): Promise<AppError> {
  const error = await promise.then(() => undefined, (reason: unknown) => reason);
  expect(error).toBeInstanceOf(AppError);
  return error as AppError;
}

async function write(name: string, data: string | Buffer): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, data);
  return file;
}

const hlsPlaylist = (target: string) => `#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:1\n#EXTINF:1,\n${target}\n#EXT-X-ENDLIST\n`;

describe('input policy: accepted media', () => {
  it.each([
    ['mp4', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac'], 'mov,mp4,m4a,3gp,3g2,mj2'],
    ['mkv', ['-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac'], 'matroska,webm'],
    ['wav', ['-vn'], 'wav'],
    ['mp3', ['-vn'], 'mp3'],
  ])('probes a normal .%s', async (extension, codec, formatName) => {
    const file = join(dir, `normal.${extension}`);
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=2', '-f', 'lavfi', '-i', 'color=s=64x64:d=2', '-shortest', ...codec, file);
    const info = await probeMedia(file);
    expect(info.formatName).toBe(formatName);
    expect(info.hasAudio).toBe(true);
    expect(info.durationSeconds).toBeGreaterThan(1.5);
  });

  it('matches ffprobe format names against the list by any of their names', () => {
    expect(isAcceptedFormat('mov,mp4,m4a,3gp,3g2,mj2')).toBe(true);
    expect(isAcceptedFormat('matroska,webm')).toBe(true);
    for (const refused of ['hls', 'concat', 'image2', 'png_pipe', 'tty', 'dash', 'webm_dash_manifest', 'srt', '']) {
      expect(isAcceptedFormat(refused)).toBe(false);
    }
  });

  it('makes user paths absolute, so a name can never select a protocol', () => {
    expect(userMediaInput('concat:a.mp4|b.mp4').at(-1)).toMatch(/^\/.*concat:a\.mp4\|b\.mp4$/);
  });
});

describe('input policy: refused at the probe, with a plain reason and no path in the message', () => {
  it('refuses an HLS playlist named .mp4 whose segment is another file, even one claiming EXTINF:1', async () => {
    const playlist = await write('playlist.mp4', hlsPlaylist(longVideo));
    // Without the policy ffprobe follows the segment and reports the other file's streams as
    // this one's, with the playlist's 1 s duration: the attack this test guards against.
    const unguarded = await runFfprobeJson<{ streams: unknown[]; format: { format_name: string; duration: string } }>(['-show_format', '-show_streams', playlist]);
    expect(unguarded.format.format_name).toBe('hls');
    expect(unguarded.streams.length).toBe(2);

    const error = await caught(probeMedia(playlist));
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(error.httpStatus).toBe(415);
    expect(error.message).toBe('The file is not a readable video or audio file: playlists (HLS .m3u8) are not accepted; upload the video file itself');
    expect(error.message).not.toContain(dir);
    expect(error.details).toMatchObject({ path: playlist });
  });

  it('refuses a concat script', async () => {
    const script = await write('concat.mp4', `ffconcat version 1.0\nfile '${longVideo}'\n`);
    const error = await caught(probeMedia(script));
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(error.message).toMatch(/concat scripts \(ffconcat\) are not accepted/);
    expect(error.message).not.toContain(dir);
  });

  it('refuses text, PNG, JPEG and BMP files', async () => {
    const text = await write('notes.mp4', 'meeting notes, not a video\n'.repeat(20));
    expect((await caught(probeMedia(text))).message).toMatch(/text files are not accepted/);
    // PNG and JPEG are named by the sniff; BMP is not, so its refusal is the whitelist's own.
    for (const extension of ['png', 'jpg', 'bmp']) {
      const image = join(dir, `picture.${extension}`);
      ffmpeg('-f', 'lavfi', '-i', 'color=c=blue:s=64x64', '-frames:v', '1', image);
      const error = await caught(probeMedia(image));
      expect(error.code).toBe('UNSUPPORTED_MEDIA');
      expect(error.message).toMatch(/still images are not accepted/);
    }
  });

  it('names what the first bytes are: playlists with a BOM, DASH manifests, subtitles', () => {
    expect(describeHead(Buffer.from(`\uFEFF\n${hlsPlaylist('/x.ts')}`))).toMatch(/HLS/);
    expect(describeHead(Buffer.from('<?xml version="1.0"?>\n<MPD xmlns="urn:mpeg:dash:schema:mpd:2011">'))).toMatch(/DASH/);
    expect(describeHead(Buffer.from('1\n00:00:01,000 --> 00:00:02,000\nhello\n'))).toMatch(/subtitle files/);
    expect(describeHead(Buffer.from([0x00, 0x00, 0x00, 0x20, 0x66, 0x74, 0x79, 0x70]))).toBeUndefined();
  });

  it('refuses a file with more streams than allowed (413), and counts them all', async () => {
    const many = join(dir, 'many-streams.mkv');
    ffmpeg('-f', 'lavfi', '-i', 'sine=d=0.5:r=8000', ...Array.from({ length: 200 }, () => ['-map', '0:a']).flat(), '-c:a', 'pcm_s16le', many);
    const error = await caught(probeMedia(many, { maxStreams: 64 }));
    expect(error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(error.httpStatus).toBe(413);
    expect(error.message).toBe('The file has 200 streams; at most 64 are accepted');
    expect((await probeMedia(many, { maxStreams: 200 })).streams).toHaveLength(200);
  });
});

describe('input policy: the ffmpeg whitelist is the gate, without the probe in front', () => {
  // A playlist the worker is handed directly (the sniff never runs there) must still fail.
  let playlist: string;
  let script: string;
  beforeAll(async () => {
    playlist = await write('worker-playlist.mp4', hlsPlaylist(longVideo));
    script = await write('worker-concat.mp4', `ffconcat version 1.0\nfile '${longVideo}'\n`);
  });

  it('extractAudioWav fails on a playlist or concat script instead of reading the file they name', async () => {
    for (const input of [playlist, script]) {
      const output = join(dir, 'extracted.wav');
      const error = await caught(extractAudioWav(input, output));
      expect(error.code).toBe('UNSUPPORTED_MEDIA');
      expect(error.message).not.toContain(dir);
      expect(String(error.details?.stderr)).toMatch(/not on whitelist/);
      expect(existsSync(output)).toBe(false);
    }
  });

  it('decodePcmF32 and decodeMono give back no samples of the referenced file', async () => {
    await expect(decodePcmF32(playlist)).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA' });
    await expect(decodeMono(playlist, 16_000)).rejects.toMatchObject({ code: 'UNSUPPORTED_MEDIA' });
  });

  it('ffprobe with the policy arguments refuses a playlist, naming the demuxer only in the reason', async () => {
    const error = await caught(runFfprobeJson(['-show_streams', ...userMediaProbeInput(playlist)]));
    expect(error.code).toBe('UNSUPPORTED_MEDIA');
    expect(error.message).toMatch(/playlists \(HLS \.m3u8\)/);
  });

  it('ffmpeg with the policy arguments still reads a normal file', async () => {
    await runFfmpeg([...userMediaInput(longVideo), '-t', '1', '-f', 'null', '-']);
  });

  it('reads the refused demuxer from ffmpeg stderr', () => {
    expect(whitelistRefusal("[concat @ 0x5609745bd280] Format not on whitelist 'mov'\n/x: Invalid argument")).toMatch(/concat scripts/);
    expect(whitelistRefusal("[sdp @ 0x1] Format not on whitelist 'mov'")).toMatch(/format "sdp" is not accepted/);
    expect(whitelistRefusal("Protocol 'http' not on whitelist 'file,pipe'!")).toMatch(/network addresses/);
    expect(whitelistRefusal('moov atom not found')).toBeUndefined();
  });
});
