import { open } from 'node:fs/promises';
import path from 'node:path';
import { AppError } from '@babelfish/core';

/**
 * The one input policy for media a user gave us (API uploads, the worker's copy of them, CLI
 * files). ffmpeg picks a demuxer by content, not by name, and some demuxers are scripts that
 * open other files: an HLS playlist or a concat script uploaded as `.mp4` would make the
 * worker read any local path (another job's stored output, say) into the attacker's outputs,
 * and a playlist can declare `EXTINF:1` for a two-hour file to slip past the duration limit.
 *
 * The hard gate is `-format_whitelist`: ffmpeg refuses to open anything whose demuxer is not on
 * the list, so even a script format we never heard of cannot be opened. The whitelist is also
 * inherited by any nested input a demuxer tries to open. `-protocol_whitelist` keeps every read
 * on local files. The mov/mp4 demuxer's external data references (`-enable_drefs`, which would
 * let an MP4 point at other files) stay at their default, off: never pass `-enable_drefs 1`.
 * The content sniff below only exists so the refusal can say what the file is.
 */

/**
 * Plain containers: each holds its own audio/video and refers to nothing else. Names as
 * `ffmpeg -demuxers` prints them; ffmpeg matches a whitelist entry against any of a demuxer's
 * names, so `mov` admits "mov,mp4,m4a,3gp,3g2,mj2" and `matroska` admits "matroska,webm".
 */
export const ACCEPTED_DEMUXERS = [
  'mov', 'mp4', 'm4a', '3gp', '3g2',
  'matroska', 'webm',
  'avi',
  'mpegts',
  'mpeg', // MPEG program streams (.mpg, .vob)
  'flv',
  'asf', // .wmv, .wma
  'ogg',
  'wav', 'w64', 'aiff', 'caf',
  'mp3', 'flac', 'aac', 'ac3', 'eac3',
] as const;

const FORMAT_WHITELIST = ACCEPTED_DEMUXERS.join(',');
// pipe only serves data we would stream in on stdin ourselves (stdin is closed today). User paths
// are made absolute below, so a name like "concat:a|b" or "http://…" is always read as a plain
// file and never picks a protocol.
const PROTOCOL_WHITELIST = 'file,pipe';

/** ffmpeg input arguments for a user's media file: whitelists first, as they apply to the next `-i`. */
export function userMediaInput(file: string): string[] {
  return ['-protocol_whitelist', PROTOCOL_WHITELIST, '-format_whitelist', FORMAT_WHITELIST, '-i', path.resolve(file)];
}

/** The same for ffprobe (which takes `-i` too, and the same format options). */
export const userMediaProbeInput = userMediaInput;

/** Files we wrote ourselves (subtitle tracks, synthetic speech) get a whitelist of just their format. */
export function generatedInput(file: string, format: 'srt' | 'wav'): string[] {
  return ['-protocol_whitelist', 'file', '-format_whitelist', format, '-i', path.resolve(file)];
}

/** True when ffprobe's format_name ("mov,mp4,m4a,3gp,3g2,mj2") is one the whitelist admits. */
export function isAcceptedFormat(formatName: string): boolean {
  const accepted: readonly string[] = ACCEPTED_DEMUXERS;
  return formatName.split(',').some((name) => accepted.includes(name.trim()));
}

const UPLOAD_THE_FILE = 'upload the video or audio file itself';

/** A plain reason for a refused demuxer (the name ffmpeg reports, never a path). */
export function reasonForFormat(demuxer: string): string {
  if (demuxer === 'hls') return 'playlists (HLS .m3u8) are not accepted; upload the video file itself';
  if (demuxer === 'concat') return `concat scripts (ffconcat) are not accepted; ${UPLOAD_THE_FILE}`;
  if (demuxer === 'dash' || demuxer === 'webm_dash_manifest') return `DASH manifests (.mpd) are not accepted; ${UPLOAD_THE_FILE}`;
  if (/^(image2|image2pipe|[a-z0-9]+_pipe|gif|apng|webp|ico)$/.test(demuxer)) return 'still images are not accepted; upload a video or audio file';
  if (demuxer === 'tty') return 'text files are not accepted; upload a video or audio file';
  // SRT, WebVTT and ASS are imported (translated alone, or used instead of a transcription), just
  // not as the media of a job that has a subtitle file already.
  if (/^(srt|webvtt|ass)$/.test(demuxer)) return 'subtitle files are accepted alone or next to a video (field "subtitles"), not as the video itself';
  if (/^(subviewer1?|microdvd|sami|mpl2|jacosub|realtext|pjs|vplayer|stl|lrc|scc|mcc)$/.test(demuxer)) {
    return 'subtitle formats other than SRT, WebVTT and ASS/SSA are not accepted; upload the video or audio file';
  }
  return `the format "${demuxer}" is not accepted; upload a common video or audio file (MP4, MOV, MKV, WebM, AVI, MPEG-TS, MP3, WAV, FLAC, …)`;
}

/** The refusal itself: a 415 whose message is the reason; paths and tool output only in details. */
export function refusedMedia(reason: string, details: Record<string, unknown> = {}, cause?: unknown): AppError {
  // Same opening as probe's other refusals, so clients and logs see one wording for "not media".
  const message = `The file is not a readable video or audio file: ${reason}`;
  return new AppError('UNSUPPORTED_MEDIA', message, details, cause === undefined ? undefined : { cause });
}

/**
 * What ffmpeg/ffprobe print when the whitelists stop an input:
 * "[hls @ 0x55…] Format not on whitelist 'mov,…'" or "Protocol 'http' not on whitelist 'file,pipe'!".
 * Returns the plain reason, or undefined when the failure was something else.
 */
export function whitelistRefusal(stderr: string): string | undefined {
  const format = /\[([A-Za-z0-9_,]+) @ 0x[0-9a-f]+\] Format not on whitelist/.exec(stderr);
  if (format?.[1]) return reasonForFormat(format[1]);
  if (/Format not on whitelist/.test(stderr)) return reasonForFormat('unknown');
  if (/Protocol '[^']*' not on whitelist/.test(stderr)) return 'the file refers to other files or network addresses, which is not accepted';
  return undefined;
}

const SNIFF_BYTES = 4096;

/**
 * Reads the first bytes and names what the file is when it is plainly not media, so the refusal
 * can say "a playlist" instead of "unreadable". Not the gate (the whitelist is): it only words it.
 */
export async function sniffRefusal(file: string): Promise<string | undefined> {
  const handle = await open(file, 'r');
  let head: Buffer;
  try {
    const buffer = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await handle.read(buffer, 0, SNIFF_BYTES, 0);
    head = buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
  return describeHead(head);
}

export function describeHead(head: Buffer): string | undefined {
  if (startsWith(head, [0x89, 0x50, 0x4e, 0x47]) || startsWith(head, [0xff, 0xd8, 0xff]) || head.toString('latin1', 0, 4) === 'GIF8') {
    return reasonForFormat('image2');
  }
  if (head.toString('latin1', 0, 4) === 'RIFF' && head.toString('latin1', 8, 12) === 'WEBP') return reasonForFormat('image2');
  if (!looksLikeText(head)) return undefined;
  // A UTF-8 byte-order mark and leading blank lines do not change what the text is.
  const text = head.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('#EXTM3U') || /^#EXT(INF|-X-)/m.test(text)) return reasonForFormat('hls');
  if (/^ffconcat\s+version/i.test(text) || /^file\s+\S/m.test(text)) return reasonForFormat('concat');
  if (/<MPD[\s>]/.test(text) || text.includes('urn:mpeg:dash')) return reasonForFormat('dash');
  if (/^<svg[\s>]/i.test(text) || /^<\?xml[^>]*>\s*<svg[\s>]/i.test(text)) return reasonForFormat('image2');
  if (text.startsWith('WEBVTT') || text.startsWith('[Script Info]') || /^\d+\r?\n\d\d:\d\d:\d\d[,.]\d{3} --> /.test(text)) {
    return reasonForFormat('srt');
  }
  return reasonForFormat('tty');
}

function startsWith(head: Buffer, bytes: number[]): boolean {
  return head.length >= bytes.length && bytes.every((byte, i) => head[i] === byte);
}

/**
 * Every real container starts with binary (sizes, sync words, NULs) in its first bytes, so a
 * head that is valid UTF-8 without control characters is text: a playlist, a script, a note.
 */
function looksLikeText(head: Buffer): boolean {
  if (head.length === 0) return false;
  for (const byte of head) {
    if (byte === 0x7f || (byte < 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d && byte !== 0x0c)) return false;
  }
  // A full read may end inside a multi-byte character: allow up to three bytes cut off.
  const cuts = head.length === SNIFF_BYTES ? [0, 1, 2, 3] : [0];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  return cuts.some((cut) => {
    try {
      decoder.decode(head.subarray(0, head.length - cut));
      return true;
    } catch {
      return false;
    }
  });
}
