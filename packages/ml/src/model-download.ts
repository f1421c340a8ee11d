import { randomUUID } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError } from '@babelfish/core';
import { DEFAULT_HUB_URL } from './model-env';
import type { ModelFile } from './model-files';

/**
 * Fetches a model's files from the hub (or a mirror with its URL layout) into the cache folder.
 * Each file is written to a temporary name beside its target and renamed when complete, so an
 * interrupted download never leaves a truncated file that a later offline run would load; files
 * already in the cache are not fetched again.
 */

export type DownloadProgress = {
  modelId: string;
  /** The file being fetched (path inside the model folder). */
  file: string;
  /** 1-based position of `file` among the files fetched in this download. */
  index: number;
  count: number;
  /** Bytes of `file` received so far, and its size when the server sent one. */
  loaded: number;
  total?: number;
};

export type DownloadListener = (progress: DownloadProgress) => void;

export type DownloadOptions = {
  hubUrl?: string;
  cacheDir: string;
  files: ModelFile[];
  onProgress?: DownloadListener;
  /** Gives up on a server that sends nothing for this long (connect, headers or body). */
  idleTimeoutMs?: number;
};

export type DownloadResult = { modelId: string; fetched: string[]; bytes: number };

const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

export async function downloadModel(modelId: string, options: DownloadOptions): Promise<DownloadResult> {
  const hubUrl = (options.hubUrl ?? DEFAULT_HUB_URL).replace(/\/+$/, '');
  const root = join(options.cacheDir, modelId);
  const todo = options.files.filter((file) => !existsSync(join(root, file.path)));
  const fetched: string[] = [];
  let bytes = 0;
  for (const [i, file] of todo.entries()) {
    const url = `${hubUrl}/${modelId}/resolve/main/${file.path}`;
    const report = (loaded: number, total?: number) =>
      options.onProgress?.({ modelId, file: file.path, index: i + 1, count: todo.length, loaded, total });
    const size = await fetchFile(url, join(root, file.path), report, options.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS).catch((error: unknown) => {
      throw downloadError(modelId, hubUrl, file, error);
    });
    if (size === undefined) {
      if (file.optional) continue; // the loader copes without it
      throw missingFileError(modelId, hubUrl, file);
    }
    fetched.push(file.path);
    bytes += size;
  }
  return { modelId, fetched, bytes };
}

/** HTTP status the hub answered with, kept apart from network failures for the message. */
class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** Bytes written, or undefined on a 404 (the caller decides whether the file was optional). */
async function fetchFile(url: string, target: string, report: (loaded: number, total?: number) => void, idleTimeoutMs: number): Promise<number | undefined> {
  const abort = new AbortController();
  const stall = () => abort.abort(new Error(`the server sent nothing for ${idleTimeoutMs / 1000} s`));
  let timer = setTimeout(stall, idleTimeoutMs);
  const touch = () => {
    clearTimeout(timer);
    timer = setTimeout(stall, idleTimeoutMs);
  };
  const temp = `${target}.${randomUUID().slice(0, 8)}.part`;
  try {
    // Hub files are redirects to a CDN (fetch follows them; the temp name is ours, not the CDN's).
    const response = await fetch(url, { signal: abort.signal, redirect: 'follow', headers: hubHeaders(url) });
    if (response.status === 404) return undefined;
    if (!response.ok || !response.body) throw new HttpStatusError(response.status);
    const header = Number(response.headers.get('content-length'));
    const total = Number.isFinite(header) && header > 0 ? header : undefined;
    let loaded = 0;
    report(0, total);
    await mkdir(dirname(target), { recursive: true });
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        touch();
        loaded += chunk.length;
        report(loaded, total);
        done(null, chunk);
      },
    });
    await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), counter, createWriteStream(temp));
    if (total !== undefined && loaded !== total) throw new Error(`received ${loaded} of ${total} bytes`);
    await rename(temp, target);
    return loaded;
  } finally {
    clearTimeout(timer);
    await rm(temp, { force: true });
  }
}

/**
 * The hub token, sent as transformers.js sends it: read from HF_TOKEN (a secret kept out of
 * Config on purpose, see .env.example) and only to huggingface.co, never to a mirror.
 */
function hubHeaders(url: string): Record<string, string> {
  const token = process.env.HF_TOKEN ?? process.env.HF_ACCESS_TOKEN;
  const host = new URL(url).hostname;
  return token && (host === 'huggingface.co' || host === 'hf.co') ? { authorization: `Bearer ${token}` } : {};
}

/** One readable line: what, from where, and why (no stack, no undici internals). */
function downloadError(modelId: string, hubUrl: string, file: ModelFile, error: unknown): AppError {
  return new AppError('MODEL_UNAVAILABLE', `could not download ${modelId} from ${shownUrl(hubUrl)}: ${reason(error, file)}`, { modelId }, { cause: error });
}

/** `details.missing` lets callers tell "the hub has no such file" from "the hub is down". */
function missingFileError(modelId: string, hubUrl: string, file: ModelFile): AppError {
  return new AppError('MODEL_UNAVAILABLE', `could not download ${modelId} from ${shownUrl(hubUrl)}: ${file.path} is not there (HTTP 404)`, {
    modelId,
    missing: file.path,
  });
}

/** The hub URL without any user:password a mirror's URL may carry (messages reach job rows and logs). */
function shownUrl(hubUrl: string): string {
  try {
    const url = new URL(hubUrl);
    url.username = '';
    url.password = '';
    return url.toString().replace(/\/+$/, '');
  } catch {
    return hubUrl;
  }
}

const networkReasons: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
  ECONNRESET: 'connection reset',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  UND_ERR_SOCKET: 'connection closed by the server',
};

function reason(error: unknown, file: ModelFile): string {
  if (error instanceof HttpStatusError) {
    const hint = error.status === 401 || error.status === 403 ? ' (a gated or private model?)' : '';
    return `${file.path}: HTTP ${error.status}${hint}`;
  }
  const code = errorCode(error);
  if (code && networkReasons[code]) return networkReasons[code];
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  return `${file.path}: ${cause instanceof Error ? cause.message : String(cause)}`;
}

/** undici wraps socket errors as TypeError('fetch failed') with the system error (or an AggregateError of them) as cause. */
function errorCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && networkReasons[code]) return code;
    const errors = (current as { errors?: unknown[] }).errors;
    if (Array.isArray(errors) && errors.length > 0) current = errors[0];
    else current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
