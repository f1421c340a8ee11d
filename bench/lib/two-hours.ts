import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { extractAudioWav } from '@babelfish/media';
import { benchDir, samplePath } from './fixtures';

/**
 * The 2-hour recording of memory-2h and vad-scan: a still picture over 7,200 s of pink noise at
 * -50 dBFS with the 38 s Spanish Everest talk once every 10 minutes (12 times, 2 s into each
 * period). Built once under the bench folder and reused.
 */

export const TWO_HOURS_SECONDS = 7200;
export const SPEECH_PERIOD_SECONDS = 600;
/** Where the talk starts in each period. */
export const SPEECH_OFFSET_SECONDS = 2;

export function twoHourVideo(): string {
  const file = path.join(benchDir(), `two-hours-speech-every-${SPEECH_PERIOD_SECONDS}s.mp4`);
  if (fs.existsSync(file)) return file;
  const period = path.join(benchDir(), `period-${SPEECH_PERIOD_SECONDS}s.m4a`);
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-v', 'error', '-y', '-i', samplePath('es_everest.mp3'),
    '-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=0.003:sample_rate=16000:duration=${SPEECH_PERIOD_SECONDS}`,
    '-filter_complex', `[0:a]aresample=16000,aformat=channel_layouts=mono,adelay=${SPEECH_OFFSET_SECONDS * 1000},apad=whole_dur=${SPEECH_PERIOD_SECONDS}[talk];[talk][1:a]amix=inputs=2:normalize=0:duration=first`,
    '-c:a', 'aac', '-b:a', '64k', period,
  ]);
  // prettier-ignore
  execFileSync('ffmpeg', [
    '-v', 'error', '-y',
    '-f', 'lavfi', '-i', 'color=c=0x203040:s=320x240:r=1',
    '-stream_loop', '-1', '-i', period,
    '-t', String(TWO_HOURS_SECONDS), '-c:v', 'libx264', '-preset', 'ultrafast', '-tune', 'stillimage', '-pix_fmt', 'yuv420p',
    '-c:a', 'copy', '-movflags', '+faststart', file,
  ]);
  return file;
}

/** The video's audio as the worker extracts it (16 kHz mono 16-bit WAV). */
export async function twoHourWav(): Promise<string> {
  const wav = path.join(benchDir(), `two-hours-speech-every-${SPEECH_PERIOD_SECONDS}s.wav`);
  if (!fs.existsSync(wav)) await extractAudioWav(twoHourVideo(), wav);
  return wav;
}
