import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import { sample } from './paths';

/**
 * The awkward files real users upload, made at test time with ffmpeg and espeak-ng (never
 * committed): audio that starts after the picture, several audio tracks, 5.1 sound, MP3 cover
 * art, phone rotation, odd sizes and unusual pixel formats, existing subtitle tracks, variable
 * frame rate and sub-second clips. Every builder writes into `dir` and returns the file path.
 */

const run = promisify(execFile);

async function ffmpeg(args: string[]): Promise<void> {
  await run('ffmpeg', ['-v', 'error', '-nostdin', '-y', ...args], { maxBuffer: 1 << 24 });
}

/** Cheap H.264 in MP4/MKV: the picture content does not matter, only its format. */
const X264 = ['-c:v', 'libx264', '-preset', 'ultrafast'];

/** espeak-ng's voice reading `text`, as a WAV. */
export async function speechWav(dir: string, name: string, text: string, voice = 'en'): Promise<string> {
  const file = path.join(dir, `${name}.wav`);
  await run('espeak-ng', ['-v', voice, '-s', '150', '-w', file, text]);
  return file;
}

/** The first seconds of the Spanish sample, as a WAV (a track of its own in the multi-track files). */
export async function spanishWav(dir: string, seconds = 9): Promise<string> {
  const file = path.join(dir, `everest-${seconds}s.wav`);
  await ffmpeg(['-i', sample('es_everest.mp3'), '-t', String(seconds), '-ac', '1', '-ar', '16000', file]);
  return file;
}

/**
 * A 13 s picture from 0 with jfk.wav's speech starting `offsetSeconds` later at the container
 * level (`-itsoffset` on the audio input: the MP4 edit list says "audio starts at 2 s").
 */
export async function delayedAudio(dir: string, offsetSeconds: number): Promise<string> {
  const file = path.join(dir, `delayed-${offsetSeconds}s.mp4`);
  await ffmpeg([
    '-f', 'lavfi', '-i', 'color=c=navy:s=160x120:r=25:d=13',
    '-itsoffset', String(offsetSeconds), '-i', sample('jfk.wav'),
    '-map', '0:v', '-map', '1:a', ...X264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-t', '13', file,
  ]);
  return file;
}

/**
 * A video with two audio tracks tagged `eng` (jfk) and `spa` (everest) in the given order, the
 * first one marked default. With `subtitle`, an SRT track tagged French is in the file too.
 */
export async function twoAudioTracks(dir: string, order: ['eng', 'spa'] | ['spa', 'eng'], container: 'mp4' | 'mkv', subtitle = false): Promise<string> {
  const audio = { eng: sample('jfk.wav'), spa: await spanishWav(dir) };
  const file = path.join(dir, `tracks-${order.join('-')}${subtitle ? '-srt' : ''}.${container}`);
  const srt = path.join(dir, 'existing.fr.srt');
  if (subtitle) await fs.writeFile(srt, '1\n00:00:01,000 --> 00:00:03,000\nSous-titre déjà présent\n');
  await ffmpeg([
    '-f', 'lavfi', '-i', 'color=c=gray:s=160x120:r=25:d=11',
    '-i', audio[order[0]], '-i', audio[order[1]],
    ...(subtitle ? ['-i', srt] : []),
    '-map', '0:v', '-map', '1:a', '-map', '2:a', ...(subtitle ? ['-map', '3:0'] : []),
    ...X264, '-pix_fmt', 'yuv420p', '-c:a', 'aac',
    ...(subtitle ? ['-c:s', container === 'mkv' ? 'srt' : 'mov_text', '-metadata:s:s:0', 'language=fre', '-metadata:s:s:0', 'title=Existing French'] : []),
    '-metadata:s:a:0', `language=${order[0]}`, '-metadata:s:a:1', `language=${order[1]}`,
    '-disposition:a:0', 'default', '-disposition:a:1', '0',
    '-t', '11', file,
  ]);
  return file;
}

/**
 * 5.1 audio as films mix it: jfk's speech on the centre channel only; loud noise (effects) on
 * the front left and right, other speech (a Spanish voice, loud) on the surrounds and a low
 * tone on the LFE. A plain average of the channels buries the dialogue under them.
 */
export async function surroundDialogue(dir: string): Promise<string> {
  const file = path.join(dir, 'surround-5.1.mp4');
  const noise = (seed: number) => ['-f', 'lavfi', '-i', `anoisesrc=color=pink:amplitude=1:seed=${seed}:r=16000:d=11`];
  const chatter = await spanishWav(dir, 11);
  await ffmpeg([
    '-i', sample('jfk.wav'),
    ...noise(1), ...noise(2),
    '-f', 'lavfi', '-i', 'sine=frequency=55:sample_rate=16000:duration=11',
    '-i', chatter,
    '-filter_complex', '[4:a]volume=4,asplit=2[bl][br];[0:a][1:a][2:a][3:a][bl][br]join=inputs=6:channel_layout=5.1:map=0.0-FC|1.0-FL|2.0-FR|3.0-LFE|4.0-BL|5.0-BR[a]',
    '-map', '[a]', '-c:a', 'aac', '-b:a', '384k', '-t', '11', file,
  ]);
  return file;
}

/** An MP3 with a cover picture (an `attached_pic` "video" stream that is not a video). */
export async function coverArtMp3(dir: string, speech: string): Promise<string> {
  const cover = path.join(dir, 'cover.png');
  const file = path.join(dir, 'with-cover.mp3');
  await ffmpeg(['-f', 'lavfi', '-i', 'color=c=red:s=300x300', '-frames:v', '1', cover]);
  await ffmpeg([
    '-i', speech, '-i', cover, '-map', '0:a', '-map', '1:v', '-c:a', 'libmp3lame', '-b:a', '64k', '-c:v', 'png',
    '-disposition:v', 'attached_pic', '-metadata:s:v', 'title=Album cover', '-id3v2_version', '3', file,
  ]);
  return file;
}

export type PictureVariant = { name: string; width: number; height: number; pixFmt: string; rotate?: number };

/**
 * A short video of `speech` in an unusual picture format: odd sizes, 4:4:4 or 10-bit pixels,
 * or a phone's display rotation (written as the MP4 display matrix by a stream copy).
 */
export async function pictureVariant(dir: string, speech: string, variant: PictureVariant): Promise<string> {
  const file = path.join(dir, `${variant.name}.mp4`);
  const plain = variant.rotate ? path.join(dir, `${variant.name}.unrotated.mp4`) : file;
  await ffmpeg([
    '-f', 'lavfi', '-i', `testsrc=s=${variant.width}x${variant.height}:r=25`,
    '-i', speech, '-map', '0:v', '-map', '1:a', '-shortest',
    ...X264, '-pix_fmt', variant.pixFmt, '-c:a', 'aac', plain,
  ]);
  if (variant.rotate) await ffmpeg(['-i', plain, '-c', 'copy', '-metadata:s:v:0', `rotate=${variant.rotate}`, file]);
  return file;
}

/** Variable frame rate: an irregular set of frames kept (gaps of 40 ms to 200 ms), timestamps as they fall. */
export async function variableFrameRate(dir: string, speech: string): Promise<string> {
  const file = path.join(dir, 'vfr.mkv');
  await ffmpeg([
    '-f', 'lavfi', '-i', 'testsrc=s=160x120:r=25',
    '-i', speech, '-map', '0:v', '-map', '1:a', '-shortest',
    '-vf', "select='lt(mod(n\\,7)\\,2)+eq(mod(n\\,11)\\,0)'", '-fps_mode', 'vfr',
    ...X264, '-pix_fmt', 'yuv420p', '-c:a', 'libopus', file,
  ]);
  return file;
}

/** Half a second of picture and sound: either silence or the start of a spoken word. */
export async function subSecond(dir: string, audio: { speech: string } | 'silence'): Promise<string> {
  const file = path.join(dir, `half-second-${audio === 'silence' ? 'silence' : 'speech'}.mp4`);
  const sound = audio === 'silence' ? ['-f', 'lavfi', '-i', 'anullsrc=r=16000:cl=mono'] : ['-i', audio.speech];
  await ffmpeg([
    '-f', 'lavfi', '-i', 'color=c=black:s=160x120:r=25', ...sound,
    '-map', '0:v', '-map', '1:a', '-t', '0.5', ...X264, '-pix_fmt', 'yuv420p', '-c:a', 'aac', file,
  ]);
  return file;
}
