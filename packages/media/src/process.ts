import { spawn } from 'node:child_process';
import type { Readable } from 'node:stream';
import { AppError } from '@babelfish/core';
import { refusedMedia, whitelistRefusal } from './input-policy';

/**
 * The one place that starts ffmpeg/ffprobe. Always an argument array (never a shell), so file
 * names with spaces, quotes or `$` need no escaping and cannot inject commands.
 */

export type FfmpegBinaries = { ffmpeg: string; ffprobe: string };

/** Paths from FFMPEG_PATH / FFPROBE_PATH when set, else whatever is on PATH. Read once per call. */
export function defaultBinaries(): FfmpegBinaries {
  return {
    ffmpeg: process.env.FFMPEG_PATH?.trim() || 'ffmpeg',
    ffprobe: process.env.FFPROBE_PATH?.trim() || 'ffprobe',
  };
}

export type RunFfmpegOptions = {
  signal?: AbortSignal;
  /** Seconds of output written so far, parsed from `-progress`. */
  onProgress?: (seconds: number) => void;
  /** When known, progress is clamped to it and reaches it exactly on success. */
  durationSeconds?: number;
  /** Receives the raw stdout bytes (e.g. `-f f32le -`); progress then moves to fd 3. */
  onStdout?: (chunk: Buffer) => void;
  /** Overrides defaultBinaries().ffmpeg. */
  ffmpegPath?: string;
};

export type RunFfprobeOptions = { signal?: AbortSignal; ffprobePath?: string };

/** Enough stderr to show the real error; ffmpeg prints the cause last. */
const STDERR_TAIL_BYTES = 8 * 1024;
const MESSAGE_LINES = 6;

export async function runFfmpeg(args: string[], opts: RunFfmpegOptions = {}): Promise<void> {
  const binary = opts.ffmpegPath ?? defaultBinaries().ffmpeg;
  // stdout is free for data only when the caller wants it; otherwise progress uses it.
  const progressFd = opts.onStdout ? 3 : 1;
  const wantsProgress = opts.onProgress !== undefined;
  const fullArgs = [
    '-hide_banner',
    '-nostdin',
    // Only real errors on stderr, so the tail we report is the cause, not stream banners.
    '-loglevel',
    'error',
    '-nostats',
    ...(wantsProgress ? ['-progress', `pipe:${progressFd}`] : []),
    ...args,
  ];
  // An unread pipe fills up and blocks ffmpeg, so stdout is only piped when someone reads it.
  const stdio: ('ignore' | 'pipe')[] = [
    'ignore',
    opts.onStdout || (wantsProgress && progressFd === 1) ? 'pipe' : 'ignore',
    'pipe',
    ...(wantsProgress && progressFd === 3 ? (['pipe'] as const) : []),
  ];

  const progress = opts.onProgress ? forwardOnly(opts.onProgress, opts.durationSeconds) : undefined;
  await runProcess('ffmpeg', binary, fullArgs, stdio, opts.signal, (child) => {
    if (progress) attachProgressParser(child.stdio[progressFd] as Readable, progress);
    if (opts.onStdout) (child.stdio[1] as Readable).on('data', opts.onStdout);
  });
  // ffmpeg's last out_time can fall short of the probed duration (audio ends before video).
  if (progress && opts.durationSeconds && opts.durationSeconds > 0) progress(opts.durationSeconds);
}

/** Runs ffprobe with JSON output and returns the parsed document. */
export async function runFfprobeJson<T = unknown>(args: string[], opts: RunFfprobeOptions = {}): Promise<T> {
  const binary = opts.ffprobePath ?? defaultBinaries().ffprobe;
  const chunks: Buffer[] = [];
  await runProcess('ffprobe', binary, ['-hide_banner', '-v', 'error', '-of', 'json', ...args], ['ignore', 'pipe', 'pipe'], opts.signal, (child) => {
    (child.stdout as Readable).on('data', (chunk: Buffer) => chunks.push(chunk));
  });
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return JSON.parse(text) as T;
  } catch (cause) {
    throw new AppError('MEDIA_PROCESSING_FAILED', 'ffprobe returned output that is not JSON', { tool: 'ffprobe' }, { cause });
  }
}

type Child = ReturnType<typeof spawn>;

function runProcess(
  tool: 'ffmpeg' | 'ffprobe',
  binary: string,
  args: string[],
  stdio: ('ignore' | 'pipe')[],
  signal: AbortSignal | undefined,
  wire: (child: Child) => void,
): Promise<void> {
  if (signal?.aborted) return Promise.reject(abortReason(signal));
  return new Promise<void>((resolve, reject) => {
    const child = spawn(binary, args, { stdio, windowsHide: true });
    let stderrTail = '';
    child.stderr?.setEncoding('utf8');
    child.stderr?.on('data', (text: string) => {
      stderrTail = (stderrTail + text).slice(-STDERR_TAIL_BYTES);
    });
    wire(child);

    // SIGKILL rather than SIGTERM: a cancelled job must free the CPU now, and the partial
    // output is discarded by the caller anyway.
    const onAbort = () => child.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });

    let settled = false;
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      if (error) reject(error);
      else resolve();
    };

    child.on('error', (error: NodeJS.ErrnoException) => {
      const reason =
        error.code === 'ENOENT'
          ? `${tool} was not found at "${binary}". Install FFmpeg or set ${tool === 'ffmpeg' ? 'FFMPEG_PATH' : 'FFPROBE_PATH'}`
          : `${tool} could not be started: ${error.message}`;
      finish(new AppError('MEDIA_PROCESSING_FAILED', reason, { tool, spawnError: error.code }, { cause: error }));
    });
    // 'close' (not 'exit') so every stdout/stderr byte has been delivered before we decide.
    child.on('close', (exitCode, killSignal) => {
      if (signal?.aborted) return finish(abortReason(signal));
      if (exitCode === 0) return finish();
      const stderr = summarizeStderr(stderrTail);
      // The input policy stopped the file: a refusal of the upload (415), not a processing fault.
      const refused = whitelistRefusal(stderrTail);
      if (refused) return finish(refusedMedia(refused, { tool, exitCode, stderr }));
      const how = exitCode === null ? `was killed by ${killSignal}` : `exited with code ${exitCode}`;
      finish(
        new AppError('MEDIA_PROCESSING_FAILED', `${tool} ${how}${stderr ? `: ${stderr}` : ''}`, {
          tool,
          exitCode,
          signal: killSignal,
          stderr,
        }),
      );
    });
  });
}

function abortReason(signal: AbortSignal): unknown {
  return signal.reason ?? new DOMException('The operation was aborted', 'AbortError');
}

/** The last few non-empty stderr lines, on one line: what a person needs to see. */
export function summarizeStderr(stderr: string): string {
  const lines = stderr
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter(Boolean);
  return lines.slice(-MESSAGE_LINES).join(' | ');
}

/**
 * `-progress` writes key=value blocks. out_time_us is microseconds; out_time_ms is *also*
 * microseconds (a long-standing ffmpeg naming bug), used only when out_time_us is missing.
 */
function attachProgressParser(stream: Readable, report: (seconds: number) => void): void {
  let pending = '';
  stream.setEncoding('utf8');
  stream.on('data', (text: string) => {
    pending += text;
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      const seconds = parseProgressLine(line);
      if (seconds !== undefined) report(seconds);
    }
  });
}

/** Clamps to the duration and drops repeats (each block carries out_time_us and out_time_ms). */
function forwardOnly(onProgress: (seconds: number) => void, durationSeconds?: number): (seconds: number) => void {
  let last = -1;
  return (seconds) => {
    const clamped = durationSeconds && durationSeconds > 0 ? Math.min(seconds, durationSeconds) : seconds;
    if (clamped <= last) return;
    last = clamped;
    onProgress(clamped);
  };
}

export function parseProgressLine(line: string): number | undefined {
  const match = /^out_time_(us|ms)=(\d+)\s*$/.exec(line.trim());
  if (!match?.[2]) return undefined;
  const micros = Number(match[2]);
  return Number.isFinite(micros) && micros >= 0 ? micros / 1_000_000 : undefined;
}
