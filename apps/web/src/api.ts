import type { Catalogue, Cue, Job, JobStatus, Output, SubtitleTrack } from './types';

/** An error the API answered with (`{error:{code,message,details}}`) or a network failure. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Turns any failed response into an ApiError carrying the server's own message. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    body = undefined;
  }
  const error = (body as { error?: { code?: string; message?: string; details?: unknown } } | undefined)?.error;
  return new ApiError(error?.message ?? `The server answered ${response.status} ${response.statusText}`, response.status, error?.code ?? 'HTTP_ERROR', error?.details);
}

/**
 * Called when the server answers 401 (no or expired session), so the app can show the log-in
 * form wherever the user was, instead of a string of failing requests.
 */
let unauthorizedHandler: (() => void) | undefined;
export function onUnauthorized(handler: () => void): void {
  unauthorizedHandler = handler;
}
export function notifyUnauthorized(): void {
  unauthorizedHandler?.();
}

/** Same-origin JSON request; relative URLs because the API serves this bundle. */
export async function requestJson<T>(method: string, url: string, body?: unknown): Promise<T> {
  let response: Response;
  try {
    response = await fetch(url, {
      method,
      headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch (error) {
    throw new ApiError(`Could not reach the server (${(error as Error).message})`, 0, 'NETWORK');
  }
  if (!response.ok) {
    // The session endpoints answer 401 as part of logging in; everything else means "log in again".
    if (response.status === 401 && !url.startsWith('/v1/session')) notifyUnauthorized();
    throw await errorFromResponse(response);
  }
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

const jobUrl = (id: string) => `/v1/jobs/${encodeURIComponent(id)}`;

export const api = {
  session: () => requestJson<{ ownerId: string; authMode: 'api-key' | 'none' }>('GET', '/v1/session'),
  login: (apiKey: string) => requestJson<{ ownerId: string }>('POST', '/v1/session', { apiKey }),
  logout: () => requestJson<void>('DELETE', '/v1/session'),
  languages: () => requestJson<Catalogue>('GET', '/v1/languages'),
  listJobs: (status?: JobStatus) =>
    requestJson<{ jobs: Job[] }>('GET', `/v1/jobs?limit=50${status ? `&status=${status}` : ''}`).then((r) => r.jobs),
  getJob: (id: string) => requestJson<{ job: Job }>('GET', jobUrl(id)).then((r) => r.job),
  createJob: (body: { uploadId: string; to: string[]; from?: string; engine?: string }) =>
    requestJson<{ job: Job }>('POST', '/v1/jobs', body).then((r) => r.job),
  deleteJob: (id: string) => requestJson<void>('DELETE', jobUrl(id)),
  cancelJob: (id: string) => requestJson<{ job: Job }>('POST', `${jobUrl(id)}/cancel`).then((r) => r.job),
  retryJob: (id: string) => requestJson<{ job: Job }>('POST', `${jobUrl(id)}/retry`).then((r) => r.job),
  remuxJob: (id: string) => requestJson<{ job: Job }>('POST', `${jobUrl(id)}/remux`).then((r) => r.job),
  outputs: (id: string) => requestJson<{ outputs: Output[] }>('GET', `${jobUrl(id)}/outputs`).then((r) => r.outputs),
  subtitles: (id: string) => requestJson<{ tracks: SubtitleTrack[] }>('GET', `${jobUrl(id)}/subtitles`).then((r) => r.tracks),
  saveSubtitles: (id: string, language: string, segments: Cue[], baseVersion: number) =>
    requestJson<{ track: SubtitleTrack }>('PUT', `${jobUrl(id)}/subtitles/${encodeURIComponent(language)}`, { segments, baseVersion }).then(
      (r) => r.track,
    ),
  videoUrl: (id: string) => `${jobUrl(id)}/video`,
};
