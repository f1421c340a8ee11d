import { ApiError, notifyUnauthorized, requestJson } from './api';
import type { Job, UploadState } from './types';
import { NetworkError, sendXhr, type XhrResult } from './xhr';

/** 8 MiB chunks: small enough that a dropped connection loses little, big enough to be quick. */
export const DEFAULT_CHUNK_BYTES = 8 * 1024 * 1024;
/** How many times in a row a chunk may fail on the network before we give up. */
const MAX_NETWORK_RETRIES = 8;

export type SubmitOptions = {
  to: string[];
  from?: string;
  engine?: string;
  /** Audio track to transcribe, from 0; absent: the server picks (source language, default, first). */
  audioTrack?: number;
  /** A subtitle file to use instead of transcribing the video (SRT, WebVTT, ASS). */
  subtitles?: File;
  /** With engine llm: a model on the server, and a note on style. */
  llmModel?: string;
  style?: string;
  /** Also bilingual subtitles (the spoken line above each translation). */
  bilingual?: boolean;
  /** Per-job subtitle rules over each language's defaults (maxCharsPerLine, maxLines, maxCharsPerSecond). */
  subtitleRules?: Record<string, number>;
  chunkBytes?: number;
  onProgress: (sent: number, total: number) => void;
  onNotice?: (message: string) => void;
};

/**
 * Uploads a video with the resumable protocol (POST /v1/uploads, then PATCH chunks at the
 * server's offset) and creates the job from the upload id. Every upload goes this way, so any
 * dropped connection resumes from what the server already has instead of from zero. Servers
 * without /v1/uploads get the one-shot multipart POST instead. A subtitle file goes first the
 * same way (it is small: its progress is not shown).
 */
export async function submitVideo(file: File, options: SubmitOptions): Promise<Job> {
  let upload: UploadState;
  try {
    upload = (await requestJson<{ upload: UploadState }>('POST', '/v1/uploads', { name: file.name, size: file.size })).upload;
  } catch (error) {
    if (error instanceof ApiError && error.status === 404 && error.code === 'NOT_FOUND') return submitMultipart(file, options);
    throw error;
  }
  let subtitlesUploadId: string | undefined;
  if (options.subtitles) {
    const subtitles = (await requestJson<{ upload: UploadState }>('POST', '/v1/uploads', { name: options.subtitles.name, size: options.subtitles.size })).upload;
    await sendChunks(options.subtitles, subtitles, { ...options, onProgress: () => undefined });
    subtitlesUploadId = subtitles.id;
  }
  await sendChunks(file, upload, options);
  return (await requestJson<{ job: Job }>('POST', '/v1/jobs', { uploadId: upload.id, ...(subtitlesUploadId ? { subtitlesUploadId } : {}), ...jobFields(options) })).job;
}

/** The job's fields as the API takes them; only what was chosen. */
function jobFields(options: SubmitOptions): Record<string, string | number | boolean | string[]> {
  const fields: Record<string, string | number | boolean | string[]> = { to: options.to };
  if (options.from) fields.from = options.from;
  if (options.engine) fields.engine = options.engine;
  if (options.audioTrack !== undefined) fields.audioTrack = options.audioTrack;
  if (options.llmModel) fields.llmModel = options.llmModel;
  if (options.style) fields.style = options.style;
  if (options.bilingual) fields.bilingual = true;
  // JSON text: the one form both the JSON body and the multipart fallback take.
  if (options.subtitleRules && Object.keys(options.subtitleRules).length > 0) fields.subtitleRules = JSON.stringify(options.subtitleRules);
  return fields;
}

async function sendChunks(file: File, upload: UploadState, options: SubmitOptions): Promise<void> {
  const chunkBytes = Math.max(1, options.chunkBytes ?? DEFAULT_CHUNK_BYTES);
  let offset = upload.offset;
  let failures = 0;
  options.onProgress(offset, file.size);
  while (offset < file.size) {
    const end = Math.min(offset + chunkBytes, file.size);
    const start = offset;
    try {
      const result = await sendXhr({
        method: 'PATCH',
        url: `/v1/uploads/${encodeURIComponent(upload.id)}`,
        headers: { 'Upload-Offset': String(start), 'Content-Type': 'application/offset+octet-stream' },
        body: file.slice(start, end),
        onProgress: (loaded) => options.onProgress(Math.min(start + loaded, file.size), file.size),
      });
      offset = nextOffset(result, start);
      failures = 0;
    } catch (error) {
      if (!(error instanceof NetworkError) && !(error instanceof ApiError && error.status >= 500)) throw error;
      failures += 1;
      if (failures > MAX_NETWORK_RETRIES) throw new ApiError(`Upload stopped: ${error.message}`, 0, 'NETWORK');
      const delayMs = Math.min(30_000, 500 * 2 ** (failures - 1));
      options.onNotice?.(`${error.message}. Resuming in ${Math.ceil(delayMs / 1000)} s…`);
      await sleep(delayMs);
      // Ask the server what it actually kept: part of the failed chunk may have landed.
      offset = await serverOffset(upload.id).catch(() => start);
    }
    options.onProgress(offset, file.size);
  }
}

/** Reads the new offset from a PATCH answer; a 409 carries the server's offset to resume from. */
function nextOffset(result: XhrResult, start: number): number {
  const body = result.body as { upload?: UploadState; error?: { code?: string; message?: string; details?: { offset?: number } } } | undefined;
  if (result.status >= 200 && result.status < 300 && body?.upload) return body.upload.offset;
  if (result.status === 409 && typeof body?.error?.details?.offset === 'number') return body.error.details.offset;
  if (result.status === 401) notifyUnauthorized();
  const message = body?.error?.message ?? `The server answered ${result.status} at byte ${start}`;
  throw new ApiError(message, result.status, body?.error?.code ?? 'HTTP_ERROR', body?.error?.details);
}

async function serverOffset(id: string): Promise<number> {
  return (await requestJson<{ upload: UploadState }>('GET', `/v1/uploads/${encodeURIComponent(id)}`)).upload.offset;
}

async function submitMultipart(file: File, options: SubmitOptions): Promise<Job> {
  const form = new FormData();
  for (const [name, value] of Object.entries(jobFields(options))) form.append(name, Array.isArray(value) ? value.join(',') : String(value));
  form.append('file', file);
  if (options.subtitles) form.append('subtitles', options.subtitles);
  const result = await sendXhr({ method: 'POST', url: '/v1/jobs', body: form, onProgress: (loaded) => options.onProgress(Math.min(loaded, file.size), file.size) });
  const body = result.body as { job?: Job; error?: { code?: string; message?: string; details?: unknown } } | undefined;
  if (result.status === 202 && body?.job) {
    options.onProgress(file.size, file.size);
    return body.job;
  }
  if (result.status === 401) notifyUnauthorized();
  throw new ApiError(body?.error?.message ?? `The server answered ${result.status}`, result.status, body?.error?.code ?? 'HTTP_ERROR', body?.error?.details);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
