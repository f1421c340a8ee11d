import { z } from 'zod';
import * as contract from '@babelfish/contract';
import { submissionSchema } from '@babelfish/pipeline';
import { languagesSchema } from '../routes/job-actions';
import { fromUploadSchema } from '../routes/jobs';
import { pairsQuery } from '../routes/meta';
import { loginSchema } from '../routes/session';
import { editSchema } from '../routes/subtitles';
import { createUploadSchema } from '../routes/uploads';
import { webhookSettingsSchema } from '../routes/webhooks';

/**
 * Every HTTP endpoint the API serves, with the zod schemas that validate its requests (the same
 * objects the routes use) and describe its responses. The OpenAPI document is generated from
 * this table, and the response contract check reads it, so the two cannot drift apart.
 */

export type HttpMethod = 'get' | 'post' | 'put' | 'patch' | 'delete';

export type ResponseSpec = {
  description: string;
  /** A JSON body and its schema. */
  json?: z.ZodType;
  /**
   * A non-JSON body: its media type, or each one it may have (subtitles, video, images, metrics);
   * `video/*` matches any video type. The response contract checks the Content-Type sent.
   */
  media?: string | readonly string[];
};

export type RouteSpec = {
  /** The error body this route answers with when not the common one (the compatibility APIs). */
  errorSchema?: z.ZodType;
  method: HttpMethod;
  /** Express-style path (`/v1/jobs/:id`). */
  path: string;
  summary: string;
  tag: string;
  /** Needs a key or a dashboard session (the default); false for public endpoints. */
  auth?: boolean;
  request?: { json?: z.ZodType; multipart?: z.ZodType; media?: string };
  query?: z.ZodObject;
  responses: Record<number, ResponseSpec>;
};

const job = { description: 'The job', json: contract.jobBodySchema };
const accepted = { description: 'Accepted: the job is queued (Location names it)', json: contract.jobBodySchema };
const noContent = { description: 'Done; no body' };

const multipartSubmission = submissionSchema.extend({
  file: z.string().meta({ format: 'binary', description: 'The video or audio file, or a subtitle file (SRT, WebVTT, ASS) alone to translate it' }),
  subtitles: z.string().meta({ format: 'binary', description: 'Optional: a subtitle file for the video, used instead of transcribing' }).optional(),
});
const jsonSubmission = z.union([submissionSchema.extend(fromUploadSchema.shape), submissionSchema]);

const openAiAudioFields = {
  file: z.string().meta({ format: 'binary', description: 'The audio or video file' }),
  model: z.string().describe('whisper-1 (the configured WHISPER_MODEL), or an installed Whisper model id from GET /v1/models'),
  language: z.string().optional(),
  prompt: z.string().optional().describe("Whisper's initial prompt: previous text that guides spelling and style"),
  temperature: z.number().optional().describe('The first temperature of the fallback schedule (0 to 1)'),
  response_format: z.enum(['json', 'text', 'srt', 'verbose_json', 'vtt']).optional(),
  'timestamp_granularities[]': z.array(z.enum(['word', 'segment'])).optional(),
};
const openAiAnswer = { 200: { description: 'The transcript in the format asked for (application/json for json and verbose_json, else text/plain)', media: ['application/json', 'text/plain'] } };
const openAi = { tag: 'openai-compatible', errorSchema: contract.openAiErrorBodySchema } as const;

const whisperAsrQuery = z.object({
  task: z.enum(['transcribe', 'translate']).optional(),
  language: z.string().optional(),
  output: z.enum(['txt', 'vtt', 'srt', 'tsv', 'json']).optional(),
  encode: z.enum(['true', 'false']).optional().describe('false: the body is raw s16le mono PCM at 16 kHz'),
  word_timestamps: z.enum(['true', 'false']).optional(),
  vad_filter: z.enum(['true', 'false']).optional(),
  initial_prompt: z.string().optional(),
});
const whisperAsrUpload = z.object({ audio_file: z.string().meta({ format: 'binary' }) });
const whisperAsr = { tag: 'whisper-asr-compatible', auth: false, errorSchema: contract.whisperAsrErrorBodySchema } as const;

/** whisper-asr-webservice's routes, under a key (AUTH_MODE=api-key) or without one (AUTH_MODE=none). */
const whisperAsrRoutes = (prefix: string): RouteSpec[] => [
  { ...whisperAsr, method: 'get', path: `${prefix}/status`, summary: 'Service status (whisper-asr-webservice)', responses: { 200: { description: 'Status with version', json: contract.whisperAsrStatusSchema } } },
  { ...whisperAsr, method: 'post', path: `${prefix}/asr`, summary: 'Transcribe or translate (whisper-asr-webservice; Bazarr)', query: whisperAsrQuery, request: { multipart: whisperAsrUpload }, responses: { 200: { description: 'The transcript as text/plain in the asked output', media: 'text/plain' } } },
  { ...whisperAsr, method: 'post', path: `${prefix}/detect-language`, summary: 'Detect the spoken language of the first 30 s', query: whisperAsrQuery.pick({ encode: true }), request: { multipart: whisperAsrUpload }, responses: { 200: { description: '{detected_language, language_code, confidence}', media: 'application/json' } } },
];

/** Served only with AUTH_MODE=none (the keyless whisper-asr paths). */
export const keylessRoutePrefix = '/compat/whisper-asr/';

export const routeSpecs: RouteSpec[] = [
  { ...openAi, method: 'post', path: '/v1/audio/transcriptions', summary: 'OpenAI-compatible transcription', request: { multipart: z.object(openAiAudioFields) }, responses: openAiAnswer },
  {
    ...openAi,
    method: 'post',
    path: '/v1/audio/translations',
    summary: 'OpenAI-compatible translation: into English, or into `to`',
    request: { multipart: z.object({ ...openAiAudioFields, to: z.string().optional().describe('Babelfish extension: any target an engine reaches') }) },
    responses: openAiAnswer,
  },
  { ...openAi, method: 'get', path: '/v1/models', summary: 'The models that serve transcriptions', responses: { 200: { description: 'Models', json: contract.openAiModelListSchema } } },
  { ...openAi, method: 'get', path: '/v1/models/:model', summary: 'One model', responses: { 200: { description: 'The model', json: contract.openAiModelSchema } } },
  ...whisperAsrRoutes('/compat/whisper-asr/:key'),
  ...whisperAsrRoutes('/compat/whisper-asr'),

  { method: 'get', path: '/health', summary: 'Liveness', tag: 'health', auth: false, responses: { 200: { description: 'The process is up', json: contract.healthBodySchema } } },
  {
    method: 'get',
    path: '/health/ready',
    summary: 'Readiness: database, Redis, storage, models, ffmpeg (details only for authenticated callers)',
    tag: 'health',
    auth: false,
    responses: { 200: { description: 'Ready', json: contract.readinessBodySchema }, 503: { description: 'Not ready', json: contract.readinessBodySchema } },
  },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', tag: 'health', auth: false, responses: { 200: { description: 'Metrics in the Prometheus text format', media: 'text/plain' } } },
  { method: 'get', path: '/docs', summary: 'This document, readable', tag: 'health', auth: false, responses: { 200: { description: 'HTML', media: 'text/html' } } },
  { method: 'get', path: '/docs/docs.js', summary: "The docs page's script", tag: 'health', auth: false, responses: { 200: { description: 'JavaScript', media: 'application/javascript' } } },
  { method: 'get', path: '/openapi.json', summary: 'This document', tag: 'health', auth: false, responses: { 200: { description: 'OpenAPI 3.1', media: 'application/json' } } },

  { method: 'post', path: '/v1/session', summary: 'Dashboard log-in with an API key (sets an HttpOnly cookie)', tag: 'session', auth: false, request: { json: loginSchema }, responses: { 200: { description: 'Logged in', json: contract.sessionBodySchema } } },
  { method: 'get', path: '/v1/session', summary: 'Who is logged in', tag: 'session', responses: { 200: { description: 'The session', json: contract.sessionBodySchema } } },
  { method: 'delete', path: '/v1/session', summary: 'Log out', tag: 'session', responses: { 204: noContent } },

  {
    method: 'post',
    path: '/v1/jobs',
    summary: 'Submit a video (multipart with `file`, or JSON naming a finished resumable upload); `Idempotency-Key` makes retries safe',
    tag: 'jobs',
    request: { multipart: multipartSubmission, json: jsonSubmission },
    responses: { 202: accepted },
  },
  {
    method: 'get',
    path: '/v1/jobs',
    summary: "The caller's jobs, newest first",
    tag: 'jobs',
    query: z.object({ status: z.enum(['queued', 'processing', 'completed', 'failed', 'canceled']).optional(), limit: z.coerce.number().int().min(1).max(200).optional() }),
    responses: { 200: { description: 'Jobs', json: contract.jobListBodySchema } },
  },
  { method: 'get', path: '/v1/jobs/:id', summary: 'One job', tag: 'jobs', responses: { 200: job } },
  { method: 'delete', path: '/v1/jobs/:id', summary: 'Delete a job and its files (not while it runs)', tag: 'jobs', responses: { 204: noContent } },
  { method: 'get', path: '/v1/jobs/:id/outputs', summary: 'Output files with download URLs, and the quality report', tag: 'jobs', responses: { 200: { description: 'Outputs', json: contract.outputsBodySchema } } },
  { method: 'get', path: '/v1/jobs/:id/outputs/:outputId/download', summary: 'Download one output', tag: 'jobs', responses: { 200: { description: 'The file (subtitles, video or the transcript)', media: ['application/x-subrip', 'text/vtt', 'text/x-ssa', 'video/*', 'application/json', 'text/plain'] }, 302: { description: 'Redirect to a presigned S3 URL' } } },
  { method: 'get', path: '/v1/jobs/:id/quality', summary: 'Subtitle quality checks of the last mux run', tag: 'jobs', responses: { 200: { description: 'Quality', json: contract.qualityBodySchema } } },
  { method: 'post', path: '/v1/jobs/:id/retry', summary: 'Run a failed or canceled job again on its kept upload', tag: 'jobs', responses: { 202: accepted } },
  { method: 'post', path: '/v1/jobs/:id/cancel', summary: 'Stop a queued or running job (state canceled; the upload stays for a retry); 409 once it has ended', tag: 'jobs', responses: { 202: { description: 'Canceled', json: contract.jobBodySchema } } },
  { method: 'post', path: '/v1/jobs/:id/remux', summary: 'Rebuild the outputs from the latest subtitle versions', tag: 'jobs', responses: { 202: accepted } },
  { method: 'post', path: '/v1/jobs/:id/languages', summary: 'Add target languages to a finished job (reuses the transcript)', tag: 'jobs', request: { json: languagesSchema }, responses: { 202: accepted } },
  { method: 'get', path: '/v1/jobs/:id/thumbnail', summary: 'Thumbnail', tag: 'jobs', responses: { 200: { description: 'JPEG', media: 'image/jpeg' } } },
  { method: 'get', path: '/v1/jobs/:id/video', summary: 'The uploaded video, for the player (Range requests)', tag: 'jobs', responses: { 200: { description: 'Video', media: 'video/*' }, 206: { description: 'Part of the video', media: 'video/*' }, 416: { description: 'Range not satisfiable' } } },

  { method: 'get', path: '/v1/jobs/:id/subtitles', summary: 'Subtitle tracks (latest versions)', tag: 'subtitles', responses: { 200: { description: 'Tracks', json: contract.subtitlesBodySchema } } },
  { method: 'get', path: '/v1/jobs/:id/subtitles/:file', summary: 'One track as a file (`es.vtt`, `es.srt`, `es.ass`)', tag: 'subtitles', responses: { 200: { description: 'The subtitle file', media: 'text/vtt' } } },
  { method: 'put', path: '/v1/jobs/:id/subtitles/:language', summary: 'Save an edited track as a new version (409 on a stale baseVersion)', tag: 'subtitles', request: { json: editSchema }, responses: { 200: { description: 'The saved track', json: contract.trackBodySchema } } },

  { method: 'post', path: '/v1/uploads', summary: 'Start a resumable upload', tag: 'uploads', request: { json: createUploadSchema }, responses: { 201: { description: 'The upload session', json: contract.uploadBodySchema } } },
  { method: 'get', path: '/v1/uploads/:id', summary: 'An upload session and its offset', tag: 'uploads', responses: { 200: { description: 'The upload session', json: contract.uploadBodySchema } } },
  { method: 'patch', path: '/v1/uploads/:id', summary: 'Append a chunk at `Upload-Offset`', tag: 'uploads', request: { media: 'application/offset+octet-stream' }, responses: { 200: { description: 'The upload session', json: contract.uploadBodySchema } } },

  { method: 'get', path: '/v1/languages', summary: 'Every language (codes, script, direction, whether Whisper transcribes it) and each engine that can run, with its pairs as routes', tag: 'meta', responses: { 200: { description: 'Languages', json: contract.languagesBodySchema } } },
  { method: 'get', path: '/v1/languages/pairs', summary: 'The pairs from one language, into one, or one pair, each with the engines that translate it (in order of preference)', tag: 'meta', query: pairsQuery, responses: { 200: { description: 'Pairs', json: contract.languagePairsBodySchema } } },

  { method: 'get', path: '/v1/webhook', summary: "The key's webhook secret and default destination", tag: 'webhooks', responses: { 200: { description: 'Settings', json: contract.webhookSettingsBodySchema } } },
  { method: 'put', path: '/v1/webhook', summary: "Set (or clear, with null) the key's default webhook URL", tag: 'webhooks', request: { json: webhookSettingsSchema }, responses: { 200: { description: 'Settings', json: contract.webhookSettingsBodySchema } } },
  { method: 'post', path: '/v1/webhook/secret', summary: "Rotate the key's webhook signing secret", tag: 'webhooks', responses: { 200: { description: 'The new secret', json: contract.webhookSecretBodySchema } } },
  { method: 'get', path: '/v1/jobs/:id/webhooks', summary: "A job's webhook delivery log", tag: 'webhooks', responses: { 200: { description: 'Deliveries', json: contract.webhookDeliveriesBodySchema } } },
];
