import fs from 'node:fs/promises';
import { AppError } from '@babelfish/core';

const SAMPLE_RATE = 16_000;

/**
 * whisper-asr-webservice's `encode=false`: the body is raw signed 16-bit little-endian mono PCM at
 * 16 kHz with no header (what Bazarr sends after its own ffmpeg run). A 44-byte WAV header is put
 * in front, in place, so the file is then an ordinary WAV: ffprobe, the input policy and the
 * duration limit judge it like any upload, and the worker reads it as any other.
 */
export async function wrapRawPcm(file: string): Promise<void> {
  const { size } = await fs.stat(file);
  if (size === 0) throw new AppError('UNSUPPORTED_MEDIA', 'The audio is empty');
  if (size % 2 !== 0) throw new AppError('UNSUPPORTED_MEDIA', 'With encode=false the audio must be 16-bit PCM samples (an even number of bytes)');
  // WAV sizes are 32-bit: 4 GiB of PCM is over 37 hours, far past any duration limit.
  if (size > 0xffffffff - 36) throw new AppError('PAYLOAD_TOO_LARGE', 'The raw audio is too long for a WAV file');
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + size, 4);
  header.write('WAVE', 8, 'ascii');
  header.write('fmt ', 12, 'ascii');
  header.writeUInt32LE(16, 16); // PCM fmt chunk size
  header.writeUInt16LE(1, 20); // PCM
  header.writeUInt16LE(1, 22); // mono
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28); // bytes per second
  header.writeUInt16LE(2, 32); // block align
  header.writeUInt16LE(16, 34); // bits per sample
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(size, 40);
  const wrapped = `${file}.wav`;
  const out = await fs.open(wrapped, 'w');
  try {
    await out.write(header);
    const input = await fs.open(file, 'r');
    try {
      const chunk = Buffer.alloc(1024 * 1024);
      for (;;) {
        const { bytesRead } = await input.read(chunk, 0, chunk.length);
        if (bytesRead === 0) break;
        await out.write(chunk.subarray(0, bytesRead));
      }
    } finally {
      await input.close();
    }
  } finally {
    await out.close();
  }
  await fs.rename(wrapped, file);
}
