import fs from 'node:fs/promises';
import { randomUUID } from 'node:crypto';
import { Router, type Request, type RequestHandler } from 'express';
import multer from 'multer';
import { AppError, findLanguage, openAiFormats, type OpenAiFormat, type TranscriptionRequest } from '@babelfish/core';
import { rateLimit } from '../auth/rate-limit';
import { principalOf } from '../auth/authenticate';
import type { ApiDeps } from '../deps';
import { multipartErrors } from '../http-errors';
import { badParam, openAiErrorHandler, openAiNotFound } from './openai-errors';
import { awaitTranscription, submitTranscription } from './transcription-job';
import { transcriptionContentType } from '@babelfish/core';
import { installedWhisperModels } from '@babelfish/ml';

/** The model name OpenAI's clients send by default; it means "the configured Whisper model". */
const OPENAI_WHISPER = 'whisper-1';
const CREATED = Math.floor(Date.parse('2025-01-01T00:00:00Z') / 1000);

/**
 * OpenAI's audio API (`POST /v1/audio/transcriptions`, `POST /v1/audio/translations`,
 * `GET /v1/models`) for the official SDKs and anything built on them. Each request becomes a
 * transcription-only job of the key's owner (shown in the dashboard), goes through the same
 * queue and workers as every job (the API never runs a model) at a priority above bulk jobs, and
 * the response waits for it. `Authorization: Bearer <Babelfish API key>`.
 */
export function openAiRouters(deps: ApiDeps): { audio: Router; models: Router } {
  const upload = multer({
    storage: multer.diskStorage({ destination: deps.uploadDir, filename: (_req, _file, done) => done(null, `${randomUUID()}.upload`) }),
    limits: { fileSize: deps.config.http.maxUploadBytes, files: 1, fields: 20 },
  });
  const submitLimit = rateLimit({
    redis: deps.redis,
    prefix: deps.config.queuePrefix,
    name: 'submit',
    perMinute: deps.config.rateLimits.submitPerMinute,
    identify: (locals) => `key:${principalOf(locals).keyId}`,
  });
  const readLimit = rateLimit({
    redis: deps.redis,
    prefix: deps.config.queuePrefix,
    name: 'read',
    perMinute: deps.config.rateLimits.readPerMinute,
    identify: (locals) => `key:${principalOf(locals).keyId}`,
  });
  const authenticate: RequestHandler = async (req, res, next) => {
    const principal = await deps.authenticate(req.headers);
    if (!principal) throw new AppError('UNAUTHORIZED', 'Incorrect API key provided: send a Babelfish API key as Authorization: Bearer <key>');
    res.locals.principal = principal;
    next();
  };

  const audio = Router();
  audio.use(authenticate);
  for (const task of ['transcribe', 'translate'] as const) {
    audio.post(task === 'transcribe' ? '/transcriptions' : '/translations', submitLimit, multipartErrors(upload.single('file')), async (req, res) => {
      try {
        const ask = parseOpenAiRequest(deps, req, task);
        if (!req.file) throw badParam('file', 'Attach the audio as multipart field "file"');
        const ownerId = principalOf(res.locals).ownerId;
        const job = await submitTranscription(deps, { path: req.file.path, originalName: req.file.originalname, size: req.file.size, ownerId }, ask);
        const answer = await awaitTranscription(deps, job, res);
        if (!answer) return;
        res.status(200).setHeader('Content-Type', transcriptionContentType(ask.request)).setHeader('X-Babelfish-Job-Id', job.id).send(answer.body);
      } finally {
        if (req.file) await fs.rm(req.file.path, { force: true });
      }
    });
  }
  audio.use(openAiNotFound);
  audio.use(openAiErrorHandler(deps.logger));

  const models = Router();
  models.use(authenticate, readLimit);
  models.get('/', (_req, res) => {
    res.json({ object: 'list', data: servedModels(deps).map(modelObject) });
  });
  models.get('/:model', (req, res) => {
    const id = decodeURIComponent(String(req.params.model));
    if (!servedModels(deps).includes(id)) throw new AppError('NOT_FOUND', `The model '${id}' does not exist`);
    res.json(modelObject(id));
  });
  models.use(openAiNotFound);
  models.use(openAiErrorHandler(deps.logger));
  return { audio, models };
}

/**
 * `whisper-1` (what OpenAI clients send), which stands for the configured WHISPER_MODEL, then
 * that model's own id and every other Whisper model installed in the models folder or cache
 * (read from disk each time, so a model pulled later is served without a restart).
 */
function servedModels(deps: ApiDeps): string[] {
  const { dir, cacheDir, whisper, whisperDtype } = deps.config.models;
  const installed = installedWhisperModels({ modelsDir: dir, cacheDir }, whisperDtype).filter((modelId) => modelId !== whisper);
  return [OPENAI_WHISPER, whisper, ...installed];
}

/** The Whisper model a named one means: absent for whisper-1 (the worker's WHISPER_MODEL), else the id itself. */
function whisperModelFor(model: string): string | undefined {
  return model === OPENAI_WHISPER ? undefined : model;
}

const modelObject = (id: string) => ({ id, object: 'model', created: CREATED, owned_by: 'babelfish' });

/** The form fields, checked one by one so a bad one is named in the error's `param`. */
function parseOpenAiRequest(deps: ApiDeps, req: Request, task: 'transcribe' | 'translate') {
  const body = (req.body ?? {}) as Record<string, unknown>;
  const text = (name: string): string | undefined => {
    const value = body[name];
    if (value === undefined || value === '') return undefined;
    if (typeof value !== 'string') throw badParam(name, `${name} must be given once, as text`);
    return value.trim();
  };
  const model = text('model');
  if (!model) throw badParam('model', 'model is required (whisper-1, or an id from GET /v1/models)');
  if (!servedModels(deps).includes(model)) {
    throw badParam('model', `The model '${model}' is not served here; use ${servedModels(deps).join(' or ')} (GET /v1/models)`);
  }
  const format = (text('response_format') ?? 'json') as OpenAiFormat;
  if (!openAiFormats.includes(format)) throw badParam('response_format', `response_format must be one of ${openAiFormats.join(', ')}`);
  const granularities = listField(body['timestamp_granularities[]'] ?? body.timestamp_granularities);
  for (const granularity of granularities) {
    if (granularity !== 'word' && granularity !== 'segment') throw badParam('timestamp_granularities', 'timestamp_granularities[] takes word and/or segment');
  }
  if (granularities.length > 0 && format !== 'verbose_json') throw badParam('timestamp_granularities', 'timestamp_granularities[] needs response_format=verbose_json');
  const temperatureText = text('temperature');
  const temperature = temperatureText === undefined ? undefined : Number(temperatureText);
  if (temperature !== undefined && !(Number.isFinite(temperature) && temperature >= 0 && temperature <= 1)) throw badParam('temperature', 'temperature must be a number from 0 to 1');
  const language = languageField(text('language'), 'language');
  // Beyond OpenAI: a translation into any language an installed engine reaches (English by default).
  const to = task === 'translate' ? (languageField(text('to'), 'to') ?? 'en') : undefined;
  if (task === 'transcribe' && text('to') !== undefined) throw badParam('to', 'to is for /v1/audio/translations');
  const prompt = text('prompt');
  const request: TranscriptionRequest = {
    api: 'openai',
    format,
    task,
    words: granularities.includes('word'),
    segments: granularities.length === 0 || granularities.includes('segment'),
    model,
    ...(whisperModelFor(model) ? { whisperModel: whisperModelFor(model) } : {}),
    ...(prompt ? { prompt: prompt.slice(0, 2000) } : {}),
    ...(temperature !== undefined ? { temperature } : {}),
  };
  return { source: language ?? null, target: to, request };
}

function languageField(value: string | undefined, param: string): string | undefined {
  if (value === undefined) return undefined;
  const code = value.toLowerCase();
  if (!findLanguage(code)) throw badParam(param, `${param} must be an ISO-639-1 code Babelfish knows (e.g. en, es); got "${value.slice(0, 20)}"`);
  return code;
}

function listField(value: unknown): string[] {
  if (value === undefined || value === '') return [];
  return (Array.isArray(value) ? value : [value]).map((item) => String(item).trim()).filter(Boolean);
}
