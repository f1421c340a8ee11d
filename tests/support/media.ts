import { execFileSync } from 'node:child_process';

export type ProbedStream = { codec_type: string; codec_name: string; tags?: { language?: string; title?: string; handler_name?: string }; disposition?: Record<string, number> };

export function ffprobeStreams(file: string): ProbedStream[] {
  const json = execFileSync('ffprobe', ['-v', 'error', '-show_streams', '-of', 'json', file], { encoding: 'utf8' });
  return (JSON.parse(json) as { streams: ProbedStream[] }).streams;
}

/** A short H.264 video with no audio track: valid media, nothing to transcribe. */
export function makeSilentVideo(file: string): void {
  execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=black:s=64x64:d=1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', file]);
}

/** A short video whose audio track holds only silence: valid media with no speech in it. */
export function makeVideoWithSilentAudio(file: string, seconds = 3): void {
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', `color=c=black:s=64x64:d=${seconds}`,
    '-f', 'lavfi', '-i', `anullsrc=r=16000:cl=mono`,
    '-t', String(seconds), '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', file,
  ]);
}
