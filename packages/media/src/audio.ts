import { endianness } from 'node:os';
import { open } from 'node:fs/promises';
import { AppError, type ProgressReporter } from '@babelfish/core';
import { speechFilter } from './audio-track';
import { writeAtomically } from './output';
import { userMediaInput } from './input-policy';
import { runFfmpeg } from './process';
import { secondsToPercent } from './progress';

/** Whisper (and every speech model we run) expects 16 kHz mono. */
export const SPEECH_SAMPLE_RATE = 16_000;

export type AudioOptions = {
  signal?: AbortSignal;
  /** 0–100 as the extraction advances; needs durationSeconds to know the total. */
  onProgress?: ProgressReporter;
  /** From probeMedia; used for progress and to size the decode buffer up front. */
  durationSeconds?: number;
  ffmpegPath?: string;
};

export type SpeechExtractOptions = AudioOptions & {
  /** The audio track to extract, counted from 0 among the audio tracks (see chooseAudioTrack). */
  track?: number;
  /** Layout and start offset of that track: see speechFilter (centre-weighted downmix, padding). */
  channelLayout?: string;
  startOffsetSeconds?: number;
  /** Only this much from the start (language detection needs the first 30 s, not the film). */
  maxSeconds?: number;
};

/**
 * One audio track (the first unless `track` says) → 16 kHz mono 16-bit PCM WAV, the format
 * speech models load directly, on the video's timeline.
 */
export async function extractAudioWav(input: string, outputWav: string, opts: SpeechExtractOptions = {}): Promise<void> {
  const onProgress = opts.onProgress ? secondsToPercent(opts.onProgress, opts.durationSeconds) : undefined;
  const filter = speechFilter(opts);
  await writeAtomically(outputWav, (tempPath) =>
    runFfmpeg(
      [
        ...userMediaInput(input),
        // Only the chosen audio track: a second (commentary, other dub) would be mixed in otherwise.
        '-map', `0:a:${opts.track ?? 0}`,
        '-vn', '-sn', '-dn',
        ...(filter ? ['-af', filter] : []),
        '-ac', '1',
        '-ar', String(SPEECH_SAMPLE_RATE),
        '-c:a', 'pcm_s16le',
        ...(opts.maxSeconds !== undefined ? ['-t', String(opts.maxSeconds)] : []),
        // The temp path has no extension, so the muxer must be named.
        '-f', 'wav',
        '-y', tempPath,
      ],
      { signal: opts.signal, onProgress, durationSeconds: opts.durationSeconds, ffmpegPath: opts.ffmpegPath },
    ),
  );
}

const BYTES_PER_SAMPLE = 4;
/** ~16 s of audio; only used when no duration hint was given. */
const INITIAL_BYTES = SPEECH_SAMPLE_RATE * BYTES_PER_SAMPLE * 16;

/**
 * Decodes the first audio track to 16 kHz mono float samples in memory (what in-process
 * models take). Bytes are copied straight into one growing buffer, sized from the duration
 * hint when given, instead of keeping every chunk and concatenating (which doubles the peak).
 * Samples are little-endian floats, which matches every platform Node ships on in practice.
 */
export async function decodePcmF32(path: string, opts: Omit<AudioOptions, 'onProgress'> = {}): Promise<Float32Array> {
  const hinted = opts.durationSeconds && opts.durationSeconds > 0
    ? Math.ceil((opts.durationSeconds + 1) * SPEECH_SAMPLE_RATE) * BYTES_PER_SAMPLE
    : INITIAL_BYTES;
  let bytes = new Uint8Array(new ArrayBuffer(hinted));
  let used = 0;

  await runFfmpeg(
    [...userMediaInput(path), '-map', '0:a:0', '-vn', '-sn', '-dn', '-ac', '1', '-ar', String(SPEECH_SAMPLE_RATE), '-f', 'f32le', '-'],
    {
      signal: opts.signal,
      ffmpegPath: opts.ffmpegPath,
      onStdout: (chunk) => {
        if (used + chunk.length > bytes.length) {
          const grown = new Uint8Array(new ArrayBuffer(Math.max(bytes.length * 2, used + chunk.length)));
          grown.set(bytes.subarray(0, used));
          bytes = grown;
        }
        bytes.set(chunk, used);
        used += chunk.length;
      },
    },
  );

  const samples = Math.floor(used / BYTES_PER_SAMPLE);
  // Hand back a view when the buffer fits; compact only when growth left lots of slack.
  if (bytes.length <= used * 1.25 + INITIAL_BYTES) return new Float32Array(bytes.buffer, 0, samples);
  return new Float32Array(bytes.buffer.slice(0, samples * BYTES_PER_SAMPLE));
}

/**
 * Random access to a 16-bit PCM WAV (what extractAudioWav writes) without loading it: speech
 * code reads the window it needs, so memory stays flat however long the recording is (2 h of
 * 16 kHz audio is 460 MB as floats). Samples come out as floats scaled like ffmpeg's s16 → flt.
 */
export type WavFile = {
  path: string;
  sampleRate: number;
  /** Samples per channel. */
  length: number;
  /** Samples [start, end) of a mono file, clamped to the file. */
  read(start: number, end: number): Promise<Float32Array>;
  close(): Promise<void>;
};

const WAV_HEADER_PROBE = 64 * 1024;
/** WAV samples are little-endian; so is every platform Node runs on in practice, and then the bytes are read as they are. */
const LITTLE_ENDIAN = endianness() === 'LE';

export async function openWav(path: string): Promise<WavFile> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const head = Buffer.alloc(Math.min(WAV_HEADER_PROBE, size));
    await file.read(head, 0, head.length, 0);
    const format = parseWavHeader(head, size);
    const length = Math.floor(format.dataBytes / 2);
    return {
      path,
      sampleRate: format.sampleRate,
      length,
      async read(start, end) {
        const from = Math.max(0, Math.min(start, length));
        const to = Math.max(from, Math.min(end, length));
        // A buffer of its own (offset 0, so aligned for an Int16Array view of the PCM).
        const pcm = new Int16Array(to - from);
        const bytes = Buffer.from(pcm.buffer);
        if (bytes.length > 0) await file.read(bytes, 0, bytes.length, format.dataOffset + from * 2);
        if (!LITTLE_ENDIAN) for (let i = 0; i < pcm.length; i++) pcm[i] = bytes.readInt16LE(i * 2);
        const samples = new Float32Array(pcm.length);
        for (let i = 0; i < samples.length; i++) samples[i] = pcm[i]! / 32768;
        return samples;
      },
      close: () => file.close(),
    };
  } catch (error) {
    await file.close();
    throw error;
  }
}

/** Where the PCM data starts and how long it is; only mono 16-bit PCM is accepted. */
export function parseWavHeader(head: Buffer, fileSize: number): { sampleRate: number; dataOffset: number; dataBytes: number } {
  if (head.toString('ascii', 0, 4) !== 'RIFF' || head.toString('ascii', 8, 12) !== 'WAVE') {
    throw new AppError('MEDIA_PROCESSING_FAILED', 'Not a WAV file');
  }
  let sampleRate = 0;
  for (let at = 12; at + 8 <= head.length; ) {
    const id = head.toString('ascii', at, at + 4);
    const size = head.readUInt32LE(at + 4);
    if (id === 'fmt ') {
      const codec = head.readUInt16LE(at + 8);
      const channels = head.readUInt16LE(at + 10);
      const bits = head.readUInt16LE(at + 22);
      if (codec !== 1 || channels !== 1 || bits !== 16) {
        throw new AppError('MEDIA_PROCESSING_FAILED', `Expected mono 16-bit PCM WAV, got format ${codec}, ${channels} channel(s), ${bits} bits`);
      }
      sampleRate = head.readUInt32LE(at + 12);
    } else if (id === 'data') {
      const dataOffset = at + 8;
      // A WAV written to a pipe has no final size (0 or 0xFFFFFFFF): the data then runs to the end.
      const dataBytes = size === 0 || size === 0xffffffff ? fileSize - dataOffset : Math.min(size, fileSize - dataOffset);
      return { sampleRate, dataOffset, dataBytes };
    }
    at += 8 + size + (size % 2);
  }
  throw new AppError('MEDIA_PROCESSING_FAILED', 'WAV file has no data chunk');
}

/** Samples [start, end) of a WAV copied into a new mono 16-bit WAV, 1 MB at a time. */
export async function writeWavRange(source: Pick<WavFile, 'path' | 'sampleRate' | 'length'>, start: number, end: number, output: string): Promise<void> {
  const input = await open(source.path, 'r');
  try {
    const head = Buffer.alloc(WAV_HEADER_PROBE);
    const { bytesRead } = await input.read(head, 0, head.length, 0);
    const { dataOffset } = parseWavHeader(head.subarray(0, bytesRead), (await input.stat()).size);
    const from = Math.max(0, Math.min(start, source.length));
    const to = Math.max(from, Math.min(end, source.length));
    await writeAtomically(output, async (tempPath) => {
      const out = await open(tempPath, 'w');
      try {
        await out.write(wavHeader(source.sampleRate, (to - from) * 2));
        const block = Buffer.alloc(1 << 20);
        for (let at = from * 2; at < to * 2; at += block.length) {
          const length = Math.min(block.length, to * 2 - at);
          await input.read(block, 0, length, dataOffset + at);
          await out.write(block.subarray(0, length));
        }
      } finally {
        await out.close();
      }
    });
  } finally {
    await input.close();
  }
}

function wavHeader(sampleRate: number, dataBytes: number): Buffer {
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + dataBytes, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(sampleRate, 24);
  header.writeUInt32LE(sampleRate * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(dataBytes, 40);
  return header;
}
