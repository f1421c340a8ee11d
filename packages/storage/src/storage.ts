import type { Readable } from 'node:stream';

export type StoredObject = { key: string; bytes: number };

/**
 * Where media lives. Keys are server-made paths like `jobs/<id>/outputs/x.srt`; a user's file
 * name never becomes a key. Stage code needs real files for ffmpeg, so `withLocalFile` hands out
 * a path (the file itself on local disk; a temporary download on a remote backend).
 */
export interface Storage {
  putFile(key: string, sourcePath: string, options?: { move?: boolean }): Promise<StoredObject>;
  putBuffer(key: string, data: Buffer | string): Promise<StoredObject>;
  getBuffer(key: string): Promise<Buffer>;
  /** `range` is inclusive at both ends, as in an HTTP Range header. */
  createReadStream(key: string, range?: { start: number; end: number }): Promise<Readable>;
  stat(key: string): Promise<StoredObject | undefined>;
  withLocalFile<T>(key: string, use: (path: string) => Promise<T>): Promise<T>;
  deletePrefix(prefix: string): Promise<void>;
  /** Every object under `prefix/` (folder semantics, as in deletePrefix), sorted by key. */
  list(prefix: string): Promise<StoredObject[]>;
  isWritable(): Promise<boolean>;
  /**
   * A time-limited URL the client downloads from directly (S3), so large outputs bypass the API.
   * Absent on backends that cannot (local disk): callers then stream through `createReadStream`.
   */
  presignDownload?(key: string, filename: string, ttlSeconds?: number): Promise<string>;
}
