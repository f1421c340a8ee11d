import fs from 'node:fs';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppError, type ErrorCode } from '@babelfish/core';

/**
 * A small client for a running Babelfish API (the CLI's submit/status/wait/download/cancel).
 * Server errors come back as AppError with the server's code and message, so scripts see the
 * same reasons the dashboard shows; 429 and 503 are retried after their Retry-After.
 */

export type JobSummary = {
  id: string;
  status: 'queued' | 'processing' | 'completed' | 'failed' | 'canceled';
  stage: string;
  percent: number;
  error: string | null;
  targetLanguages: string[];
  sourceLanguage: string | null;
  engine: string | null;
  originalName: string;
};

export type OutputSummary = { id: string; kind: string; language: string | null; name: string; bytes: number; url: string };

export type SubmitFields = { to: string[]; from?: string; engine?: string; webhookUrl?: string; llmModel?: string; style?: string; subtitleRules?: Record<string, string>; idempotencyKey?: string };

const MAX_RETRIES = 5;
const knownCodes = new Set<string>(['BAD_REQUEST', 'NOT_FOUND', 'UNAUTHORIZED', 'RATE_LIMITED', 'CONFLICT', 'PAYLOAD_TOO_LARGE', 'UNSUPPORTED_MEDIA', 'NO_AUDIO_TRACK', 'UNSUPPORTED_LANGUAGE_PAIR', 'UNKNOWN_LANGUAGE', 'MEDIA_PROCESSING_FAILED', 'MODEL_UNAVAILABLE', 'SERVICE_UNAVAILABLE']);

export class ApiClient {
  private readonly base: string;

  constructor(server: string, private readonly key: string | undefined) {
    let url: URL;
    try {
      url = new URL(server);
    } catch {
      throw new AppError('BAD_REQUEST', `--server must be a URL such as http://localhost:8080 (got "${server}")`);
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new AppError('BAD_REQUEST', '--server must be an http:// or https:// URL');
    this.base = url.toString().replace(/\/+$/, '');
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return { ...(this.key ? { authorization: `Bearer ${this.key}` } : {}), ...extra };
  }

  /** One request, retried on 429/503 after the server's Retry-After (capped), then mapped to AppError. */
  private async request(pathname: string, init: RequestInit = {}, attempt = 0): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.base + pathname, { ...init, headers: this.headers(init.headers as Record<string, string>) });
    } catch (error) {
      throw new AppError('SERVICE_UNAVAILABLE', `Cannot reach ${this.base}: ${(error as Error).cause instanceof Error ? ((error as Error).cause as Error).message : (error as Error).message}`);
    }
    const retryable = response.status === 429 || response.status === 503;
    // A body that is a stream (an upload) cannot be sent twice.
    const replayable = !(init.body instanceof FormData);
    if (retryable && replayable && attempt < MAX_RETRIES) {
      const seconds = Math.min(Number(response.headers.get('retry-after')) || 1, 30);
      await response.body?.cancel();
      await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
      return this.request(pathname, init, attempt + 1);
    }
    if (!response.ok) throw await errorFrom(response);
    return response;
  }

  private async json<T>(pathname: string, init?: RequestInit): Promise<T> {
    return (await (await this.request(pathname, init)).json()) as T;
  }

  async submit(file: string, fields: SubmitFields): Promise<JobSummary> {
    const stat = await fs.promises.stat(file).catch(() => undefined);
    if (!stat?.isFile()) throw new AppError('BAD_REQUEST', `No such file: ${file}`);
    const form = new FormData();
    form.set('to', fields.to.join(','));
    if (fields.from) form.set('from', fields.from);
    if (fields.engine) form.set('engine', fields.engine);
    if (fields.webhookUrl) form.set('webhookUrl', fields.webhookUrl);
    if (fields.llmModel) form.set('llmModel', fields.llmModel);
    if (fields.style) form.set('style', fields.style);
    if (fields.subtitleRules) form.set('subtitleRules', JSON.stringify(fields.subtitleRules));
    // openAsBlob streams the file from disk instead of reading it into memory.
    form.set('file', await fs.openAsBlob(file), path.basename(file));
    const headers: Record<string, string> = fields.idempotencyKey ? { 'idempotency-key': fields.idempotencyKey } : {};
    return (await this.json<{ job: JobSummary }>('/v1/jobs', { method: 'POST', body: form, headers })).job;
  }

  async job(id: string): Promise<JobSummary> {
    return (await this.json<{ job: JobSummary }>(`/v1/jobs/${encodeURIComponent(id)}`)).job;
  }

  async outputs(id: string): Promise<OutputSummary[]> {
    return (await this.json<{ outputs: OutputSummary[] }>(`/v1/jobs/${encodeURIComponent(id)}/outputs`)).outputs;
  }

  async cancel(id: string): Promise<JobSummary> {
    return (await this.json<{ job: JobSummary }>(`/v1/jobs/${encodeURIComponent(id)}/cancel`, { method: 'POST' })).job;
  }

  /** Streams one output to `file` (through a temporary name, so a broken download leaves nothing half-written). */
  async download(output: OutputSummary, file: string): Promise<void> {
    const response = await this.request(output.url);
    if (!response.body) throw new AppError('SERVICE_UNAVAILABLE', `Empty response for ${output.name}`);
    const partial = `${file}.part`;
    try {
      await pipeline(Readable.fromWeb(response.body as import('node:stream/web').ReadableStream), fs.createWriteStream(partial));
      await fs.promises.rename(partial, file);
    } finally {
      await fs.promises.rm(partial, { force: true });
    }
  }
}

async function errorFrom(response: Response): Promise<AppError> {
  const text = await response.text();
  let message = text.slice(0, 500) || response.statusText;
  let code: string | undefined;
  try {
    const body = JSON.parse(text) as { error?: { code?: string; message?: string } };
    if (body.error?.message) message = body.error.message;
    code = body.error?.code;
  } catch {
    // not JSON (a proxy's error page): keep the text
  }
  const fallback: ErrorCode = response.status === 401 ? 'UNAUTHORIZED' : response.status === 404 ? 'NOT_FOUND' : response.status >= 500 ? 'SERVICE_UNAVAILABLE' : 'BAD_REQUEST';
  return new AppError(code && knownCodes.has(code) ? (code as ErrorCode) : fallback, `${message} (HTTP ${response.status})`);
}
