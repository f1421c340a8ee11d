import { stat } from 'node:fs/promises';
import { AppError } from '@babelfish/core';
import { isAcceptedFormat, reasonForFormat, refusedMedia, sniffRefusal, userMediaProbeInput } from './input-policy';
import { runFfprobeJson, type RunFfprobeOptions } from './process';

/** What the pipeline needs to know about an upload before spending minutes on it. */

export type MediaStreamKind = 'video' | 'audio' | 'subtitle';

export type MediaStreamInfo = {
  index: number;
  kind: MediaStreamKind;
  codec: string;
  /** Container language tag as written (usually ISO 639-2, e.g. `spa`); absent for `und`. */
  language?: string;
  title?: string;
  isDefault: boolean;
  durationSeconds?: number;
  sampleRate?: number;
  channels?: number;
  width?: number;
  height?: number;
  /** Where the stream's first frame/sample sits on the container's timeline (seconds). */
  startSeconds?: number;
  /** ffmpeg's layout name (`5.1(side)`, `stereo`); absent when the file does not say. */
  channelLayout?: string;
  /** Display rotation in degrees (phone videos), from the display matrix or the `rotate` tag. */
  rotation?: number;
};

export type MediaInfo = {
  path: string;
  /** 0 when neither the container nor any stream states a duration. */
  durationSeconds: number;
  formatName: string;
  sizeBytes: number;
  streams: MediaStreamInfo[];
  /** The container's start time: the origin of the timeline the output files keep. */
  startSeconds?: number;
  hasVideo: boolean;
  hasAudio: boolean;
};

type ProbeStream = {
  index?: number;
  codec_type?: string;
  codec_name?: string;
  duration?: string;
  sample_rate?: string;
  channels?: number;
  channel_layout?: string;
  width?: number;
  height?: number;
  start_time?: string;
  side_data_list?: { side_data_type?: string; rotation?: number }[];
  disposition?: { default?: number; attached_pic?: number };
  tags?: Record<string, string>;
};
type ProbeDoc = { streams?: ProbeStream[]; format?: { format_name?: string; duration?: string; start_time?: string } };

// The message is shown to users, so it says what is wrong in plain words; ffprobe's own text
// (with server paths and demuxer names) goes into details for logs.
const unreadable = (path: string, why: string, cause?: unknown, stderr?: unknown) =>
  new AppError('UNSUPPORTED_MEDIA', `The file is not a readable video or audio file (${why})`, stderr ? { path, stderr } : { path }, { cause });

export type ProbeMediaOptions = RunFfprobeOptions & {
  /**
   * Also read a packet near the stated end of an MP4 to catch a truncated upload (a second
   * ffprobe run). Default true; stages probing a file that was already checked when it was
   * submitted turn it off.
   */
  checkComplete?: boolean;
  /**
   * Refuse files with more streams than this (every kind, attachments included): each audio
   * stream costs a muxer real work, and 990 of them kept a mux worker busy for minutes.
   */
  maxStreams?: number;
};

export async function probeMedia(path: string, opts: ProbeMediaOptions = {}): Promise<MediaInfo> {
  const size = await fileSize(path);
  if (size === 0) throw unreadable(path, 'it is empty');

  // Playlists, scripts, images and text are named and refused before ffprobe sees them; the
  // whitelist in userMediaProbeInput refuses them (and anything unknown) regardless.
  const sniffed = await sniffRefusal(path);
  if (sniffed) throw refusedMedia(sniffed, { path });

  const doc = await probeOrReject(path, ['-show_format', '-show_streams', ...userMediaProbeInput(path)], opts);
  const formatName = doc.format?.format_name ?? '';
  // The whitelist already stopped other demuxers; this keeps the rule in one visible place.
  if (!isAcceptedFormat(formatName)) throw refusedMedia(reasonForFormat(formatName || 'unknown'), { path, formatName });
  const streamCount = doc.streams?.length ?? 0;
  if (opts.maxStreams !== undefined && streamCount > opts.maxStreams) {
    throw new AppError('PAYLOAD_TOO_LARGE', `The file has ${streamCount} streams; at most ${opts.maxStreams} are accepted`, { path, streamCount });
  }
  const streams = (doc.streams ?? []).flatMap((stream) => summarizeStream(stream));
  // A subtitle file on its own (an .srt upload) probes fine but is not media either.
  const hasPlayable = streams.some((stream) => stream.kind !== 'subtitle');
  if (!hasPlayable) {
    throw unreadable(path, formatName ? `format "${formatName}" has no audio or video` : 'no audio or video streams');
  }

  const durationSeconds =
    positive(doc.format?.duration) ?? Math.max(0, ...streams.map((stream) => stream.durationSeconds ?? 0));
  const info: MediaInfo = {
    path,
    durationSeconds,
    formatName,
    sizeBytes: size,
    streams,
    ...(finite(doc.format?.start_time) !== undefined ? { startSeconds: finite(doc.format?.start_time) } : {}),
    hasVideo: streams.some((stream) => stream.kind === 'video'),
    hasAudio: streams.some((stream) => stream.kind === 'audio'),
  };
  if (opts.checkComplete !== false && durationSeconds > 0 && /(^|,)mp4(,|$)/.test(formatName)) await assertMp4NotTruncated(info, opts);
  return info;
}

/** The gate before transcription: there must be speech to hear and a length to schedule by. */
export function assertTranslatableMedia(info: MediaInfo): void {
  if (!info.hasAudio) {
    throw new AppError('NO_AUDIO_TRACK', 'The video has no audio track, so there is no speech to translate', { path: info.path });
  }
  if (!(info.durationSeconds > 0)) {
    throw new AppError('UNSUPPORTED_MEDIA', 'The file is not a readable video or audio file (its duration is unknown or zero)', {
      path: info.path,
    });
  }
}

async function fileSize(path: string): Promise<number> {
  try {
    const info = await stat(path);
    if (!info.isFile()) throw unreadable(path, 'it is not a regular file');
    return info.size;
  } catch (error) {
    if (error instanceof AppError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new AppError('NOT_FOUND', 'The media file does not exist', { path }, { cause: error });
    }
    throw error;
  }
}

/** ffprobe exiting non-zero means the *file* is bad; failing to start it is our problem. */
async function probeOrReject(path: string, args: string[], opts: RunFfprobeOptions): Promise<ProbeDoc> {
  try {
    return await runFfprobeJson<ProbeDoc>(args, opts);
  } catch (error) {
    // A whitelist refusal already carries its plain reason; it only gains the path for logs.
    if (error instanceof AppError && error.code === 'UNSUPPORTED_MEDIA') {
      throw new AppError(error.code, error.message, { ...error.details, path }, { cause: error });
    }
    if (error instanceof AppError && typeof error.details?.exitCode === 'number') {
      throw unreadable(path, 'its format was not recognised or it is damaged', error, error.details.stderr);
    }
    throw error;
  }
}

/**
 * An MP4 whose index (moov) is at the front probes fine even when the media data was cut off
 * by an interrupted upload. Reading one packet near the stated end exposes that: a truncated
 * file has none there. Limited to MP4 because its index makes the stated duration exact;
 * for index-less formats (VBR MP3) the duration is an estimate and this would misfire.
 */
async function assertMp4NotTruncated(info: MediaInfo, opts: RunFfprobeOptions): Promise<void> {
  const at = (info.durationSeconds * 0.9).toFixed(3);
  const doc = await probeOrReject(
    info.path,
    ['-read_intervals', `${at}%+#1`, '-show_entries', 'packet=pts_time', ...userMediaProbeInput(info.path)],
    opts,
  );
  const packets = (doc as { packets?: unknown[] }).packets ?? [];
  if (packets.length === 0) throw unreadable(info.path, 'it appears to be truncated');
}

function summarizeStream(stream: ProbeStream): MediaStreamInfo[] {
  const kind = stream.codec_type;
  if (kind !== 'video' && kind !== 'audio' && kind !== 'subtitle') return []; // data/attachment streams
  // Cover art in MP3/M4A is a one-frame "video" stream; it is not a video to subtitle.
  if (kind === 'video' && stream.disposition?.attached_pic === 1) return [];
  const language = stream.tags?.language;
  const summary: MediaStreamInfo = {
    index: stream.index ?? 0,
    kind,
    codec: stream.codec_name ?? 'unknown',
    isDefault: stream.disposition?.default === 1,
  };
  if (language && language !== 'und') summary.language = language;
  if (stream.tags?.title) summary.title = stream.tags.title;
  const duration = positive(stream.duration);
  if (duration !== undefined) summary.durationSeconds = duration;
  const sampleRate = positive(stream.sample_rate);
  if (sampleRate !== undefined) summary.sampleRate = sampleRate;
  if (stream.channels) summary.channels = stream.channels;
  if (stream.width) summary.width = stream.width;
  if (stream.height) summary.height = stream.height;
  const start = finite(stream.start_time);
  if (start !== undefined) summary.startSeconds = start;
  if (stream.channel_layout) summary.channelLayout = stream.channel_layout;
  const rotation = rotationOf(stream);
  if (rotation !== undefined) summary.rotation = rotation;
  return [summary];
}

/** Normalised to 0, 90, 180 or 270; undefined when there is none. */
function rotationOf(stream: ProbeStream): number | undefined {
  const matrix = stream.side_data_list?.find((data) => typeof data.rotation === 'number');
  const degrees = matrix?.rotation ?? finite(stream.tags?.rotate);
  if (degrees === undefined) return undefined;
  const normalised = ((Math.round(degrees / 90) * 90) % 360 + 360) % 360;
  return normalised === 0 ? undefined : normalised;
}

function finite(value: string | undefined): number | undefined {
  const number = Number(value);
  return value !== undefined && value !== '' && Number.isFinite(number) ? number : undefined;
}

function positive(value: string | undefined): number | undefined {
  const number = Number(value);
  return value !== undefined && Number.isFinite(number) && number > 0 ? number : undefined;
}
