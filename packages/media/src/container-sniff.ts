import { open, type FileHandle } from 'node:fs/promises';

/**
 * A cheap first look at an upload (a few small reads, no ffprobe): is it plainly one of the
 * accepted containers? The API uses it to answer a submission at once and leave the real probe
 * (ffprobe, the content hash, the thumbnail) to the job's first step. `undefined` means "cannot
 * tell cheaply": the caller then probes the file fully before answering, so an unknown or
 * damaged file is still refused on the spot with ffprobe's verdict. A file recognised here can
 * still fail the real probe (a damaged stream, no audio track): its job then fails with the reason.
 */
export type ContainerSniff = {
  container: 'mp4' | 'matroska' | 'avi' | 'wav' | 'ogg' | 'flac' | 'flv' | 'asf' | 'aiff' | 'caf' | 'mpegts' | 'mpeg' | 'mp3';
  /** From the MP4 movie header, when it states one (enough to refuse an over-long upload now). */
  durationSeconds?: number;
};

const HEAD_BYTES = 4096;
/** More top-level boxes than any real MP4 has; a file with more is left to ffprobe. */
const MAX_TOP_LEVEL_BOXES = 64;

export async function sniffContainer(file: string): Promise<ContainerSniff | undefined> {
  const handle = await open(file, 'r');
  try {
    const { size } = await handle.stat();
    const head = Buffer.alloc(Math.min(HEAD_BYTES, size));
    await handle.read(head, 0, head.length, 0);
    if (head.toString('latin1', 4, 8) === 'ftyp') return await sniffMp4(handle, size);
    return sniffHead(head);
  } finally {
    await handle.close();
  }
}

function sniffHead(head: Buffer): ContainerSniff | undefined {
  const ascii = (from: number, to: number) => head.toString('latin1', from, to);
  const bytes = (...values: number[]) => values.every((value, i) => head[i] === value);
  if (bytes(0x1a, 0x45, 0xdf, 0xa3)) return { container: 'matroska' };
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'AVI ') return { container: 'avi' };
  if (ascii(0, 4) === 'RIFF' && ascii(8, 12) === 'WAVE') return { container: 'wav' };
  if (ascii(0, 4) === 'OggS') return { container: 'ogg' };
  if (ascii(0, 4) === 'fLaC') return { container: 'flac' };
  if (ascii(0, 3) === 'FLV') return { container: 'flv' };
  if (bytes(0x30, 0x26, 0xb2, 0x75, 0x8e, 0x66, 0xcf, 0x11)) return { container: 'asf' };
  if (ascii(0, 4) === 'FORM' && /^AIF[FC]$/.test(ascii(8, 12))) return { container: 'aiff' };
  if (ascii(0, 4) === 'caff') return { container: 'caf' };
  // Transport stream: a sync byte every 188 bytes (three in a row, not one by chance).
  if (head.length >= 3 * 188 && [0, 188, 376].every((at) => head[at] === 0x47)) return { container: 'mpegts' };
  if (bytes(0x00, 0x00, 0x01, 0xba)) return { container: 'mpeg' };
  if (ascii(0, 3) === 'ID3') return { container: 'mp3' };
  return undefined;
}

/**
 * ISO media (MP4, MOV, M4A, 3GP): the top-level boxes must tile the file exactly and include the
 * movie box (`moov`, the index without which nothing plays). A box running past the end of the
 * file is an upload cut short; anything unexpected goes to ffprobe instead.
 */
async function sniffMp4(handle: FileHandle, size: number): Promise<ContainerSniff | undefined> {
  let offset = 0;
  let moov: { offset: number; size: number } | undefined;
  for (let count = 0; offset < size; count += 1) {
    if (count >= MAX_TOP_LEVEL_BOXES || size - offset < 8) return undefined;
    const header = Buffer.alloc(16);
    const { bytesRead } = await handle.read(header, 0, 16, offset);
    let boxSize = header.readUInt32BE(0);
    const type = header.toString('latin1', 4, 8);
    let headerSize = 8;
    if (boxSize === 1) {
      if (bytesRead < 16) return undefined;
      boxSize = Number(header.readBigUInt64BE(8));
      headerSize = 16;
    } else if (boxSize === 0) {
      boxSize = size - offset; // the last box, to the end of the file
    }
    if (boxSize < headerSize || offset + boxSize > size || !/^[\x20-\x7e]{4}$/.test(type)) return undefined;
    if (type === 'moov') moov = { offset: offset + headerSize, size: boxSize - headerSize };
    offset += boxSize;
  }
  if (!moov) return undefined;
  return { container: 'mp4', ...(await movieDuration(handle, moov)) };
}

/** The movie header's duration (`mvhd`, normally the first box inside `moov`). */
async function movieDuration(handle: FileHandle, moov: { offset: number; size: number }): Promise<{ durationSeconds?: number }> {
  const header = Buffer.alloc(40);
  const { bytesRead } = await handle.read(header, 0, Math.min(40, moov.size), moov.offset);
  if (bytesRead < 32 || header.toString('latin1', 4, 8) !== 'mvhd') return {};
  const version = header[8];
  const timescale = version === 1 ? (bytesRead >= 40 ? header.readUInt32BE(28) : 0) : header.readUInt32BE(20);
  const duration = version === 1 ? (bytesRead >= 40 ? Number(header.readBigUInt64BE(32)) : 0) : header.readUInt32BE(24);
  // 0xffffffff is "unknown" in a version 0 header.
  if (!(timescale > 0) || !(duration > 0) || (version === 0 && duration === 0xffffffff)) return {};
  return { durationSeconds: duration / timescale };
}
