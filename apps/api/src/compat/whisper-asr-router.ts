import fs from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { Router, type ErrorRequestHandler, type Request, type RequestHandler } from 'express';
import multer from 'multer';
import { AppError, findLanguage, redactPaths, transcriptionContentType, whisperAsrFormats, type TranscriptionRequest, type WhisperAsrFormat } from '@babelfish/core';
import { LOCAL_PRINCIPAL, principalOf } from '../auth/authenticate';
import { rateLimit } from '../auth/rate-limit';
import type { ApiDeps } from '../deps';
import { multipartErrors, toAppError } from '../http-errors';
import { wrapRawPcm } from './pcm-wav';
import { awaitTranscription, submitTranscription } from './transcription-job';

/** Kept with apps/api/package.json: what GET /status reports. */
const BABELFISH_VERSION = '0.1.0';

/**
 * whisper-asr-webservice's API (`POST /asr`, `POST /detect-language`, `GET /status`), which
 * Bazarr's Whisper provider, subgen users and Jellyfin plugins call. Those clients take only a
 * base URL, so the API key is part of the path: `/compat/whisper-asr/<key>/asr`; with
 * AUTH_MODE=none also `/compat/whisper-asr/asr`. Requests are answered as that project does
 * (text/plain bodies with a Content-Disposition file name), held open until the job is done.
 * Errors are never 200 and never look like subtitles: JSON `{"detail": …}` as FastAPI writes them.
 */
export function whisperAsrRouter(deps: ApiDeps): Router {
  const upload = multer({
    storage: multer.diskStorage({ destination: deps.uploadDir, filename: (_req, _file, done) => done(null, `${randomUUID()}.upload`) }),
    limits: { fileSize: deps.config.http.maxUploadBytes, files: 1, fields: 20 },
  });
  const limiter = (name: string, perMinute: number) =>
    rateLimit({ redis: deps.redis, prefix: deps.config.queuePrefix, name, perMinute, identify: (locals) => `key:${principalOf(locals).keyId}` });
  const submitLimit = limiter('submit', deps.config.rateLimits.submitPerMinute);
  const readLimit = limiter('read', deps.config.rateLimits.readPerMinute);

  const authenticate: RequestHandler = async (req, res, next) => {
    if (deps.config.auth.mode === 'none') {
      res.locals.principal = LOCAL_PRINCIPAL;
      return next();
    }
    const key = typeof req.params.key === 'string' ? req.params.key : undefined;
    const principal = key ? await deps.apiKeys.verify(key) : undefined;
    if (!principal) throw new AppError('UNAUTHORIZED', 'Put a valid Babelfish API key in the URL: /compat/whisper-asr/<key>/');
    res.locals.principal = principal;
    next();
  };

  const status: RequestHandler = (_req, res) => {
    res.json({ status: 'ok', version: BABELFISH_VERSION, asr_engine: 'babelfish', model: deps.config.models.whisper });
  };

  const transcribe = (detect: boolean): RequestHandler => async (req, res) => {
    try {
      if (!req.file) throw new AppError('BAD_REQUEST', 'Attach the audio as multipart field "audio_file"');
      const ask = detect ? detectAsk(req) : asrAsk(req);
      if (!flag(req.query.encode, true)) await wrapRawPcm(req.file.path);
      const ownerId = principalOf(res.locals).ownerId;
      const job = await submitTranscription(deps, { path: req.file.path, originalName: req.file.originalname || 'audio_file', size: req.file.size, ownerId }, ask);
      const answer = await awaitTranscription(deps, job, res);
      if (!answer) return;
      res.status(200).setHeader('Content-Type', transcriptionContentType(ask.request)).setHeader('Asr-Engine', 'babelfish');
      if (!detect) res.setHeader('Content-Disposition', `attachment; filename="${encodeURIComponent(req.file.originalname || 'audio_file')}.${ask.request.format}"`);
      res.send(answer.body);
    } finally {
      if (req.file) await fs.rm(req.file.path, { force: true });
    }
  };

  const router = Router();
  // Keyless paths exist only without keys; otherwise "asr" would be taken for a key.
  const prefixes = deps.config.auth.mode === 'none' ? ['', '/:key'] : ['/:key'];
  for (const prefix of prefixes) {
    router.get(`${prefix}/status`, authenticate, readLimit, status);
    router.post(`${prefix}/asr`, authenticate, submitLimit, multipartErrors(upload.single('audio_file')), transcribe(false));
    router.post(`${prefix}/detect-language`, authenticate, submitLimit, multipartErrors(upload.single('audio_file')), transcribe(true));
  }
  router.use((_req, _res) => {
    throw new AppError('NOT_FOUND', 'Not Found');
  });
  router.use(whisperAsrErrors(deps));
  return router;
}

/** Query fields of POST /asr; unknown extras (Bazarr's video_file, diarize…) are ignored as there. */
function asrAsk(req: Request) {
  const query = req.query as Record<string, unknown>;
  const task = text(query.task) ?? 'transcribe';
  if (task !== 'transcribe' && task !== 'translate') throw new AppError('BAD_REQUEST', 'task must be transcribe or translate');
  const format = (text(query.output) ?? 'txt') as WhisperAsrFormat;
  if (!whisperAsrFormats.includes(format)) throw new AppError('BAD_REQUEST', `output must be one of ${whisperAsrFormats.join(', ')}`);
  const language = text(query.language)?.toLowerCase();
  if (language && !findLanguage(language)) throw new AppError('BAD_REQUEST', `Unknown language "${language.slice(0, 20)}"`);
  const prompt = text(query.initial_prompt);
  const request: TranscriptionRequest = {
    api: 'whisper-asr',
    format,
    task,
    words: flag(query.word_timestamps, false),
    ...(prompt ? { prompt: prompt.slice(0, 2000) } : {}),
  };
  // vad_filter is accepted: Babelfish always finds the speech with Silero VAD first.
  flag(query.vad_filter, false);
  return { source: language ?? null, target: task === 'translate' ? 'en' : undefined, request };
}

function detectAsk(_req: Request) {
  const request: TranscriptionRequest = { api: 'whisper-asr', format: 'json', task: 'detect-language', words: false };
  return { source: null, request };
}

function text(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string') throw new AppError('BAD_REQUEST', 'Each query parameter may be given once');
  return value.trim();
}

/** FastAPI's bool parsing: true/false, 1/0, yes/no, on/off. */
function flag(value: unknown, fallback: boolean): boolean {
  const given = text(value)?.toLowerCase();
  if (given === undefined) return fallback;
  if (['true', '1', 'yes', 'on'].includes(given)) return true;
  if (['false', '0', 'no', 'off'].includes(given)) return false;
  throw new AppError('BAD_REQUEST', `"${given.slice(0, 20)}" is not a boolean`);
}

/**
 * FastAPI's error body, with the real status. The key is in the path, so the path is logged
 * with it cut out.
 */
function whisperAsrErrors(deps: ApiDeps): ErrorRequestHandler {
  return (error, req, res, _next) => {
    const appError = toAppError(error);
    const path = req.originalUrl.replace(/^(\/compat\/whisper-asr\/)[^/?]+(?=\/)/, '$1<key>').replace(/\?.*$/, '');
    if (appError.httpStatus >= 500) deps.logger.error('whisper-asr request failed', { path, code: appError.code, error: String(error), stack: (error as Error)?.stack });
    else deps.logger.info('whisper-asr request refused', { path, code: appError.code, error: String(error) });
    if (res.headersSent) {
      res.destroy();
      return;
    }
    if (appError.code === 'SERVICE_UNAVAILABLE' && !res.getHeader('Retry-After')) res.setHeader('Retry-After', '5');
    res.status(appError.httpStatus).json({ detail: redactPaths(appError.message) });
  };
}
