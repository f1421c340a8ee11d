import path from 'node:path';
import { z } from 'zod';
import { AppError, engineNames, type WhisperSafeguards } from '@babelfish/core';

/**
 * Every setting Babelfish reads, validated once at start-up. Code receives the parsed `Config`
 * and never reads process.env itself, so a typo in a deployment fails loudly at boot.
 */
export const workerRoles = ['transcribe', 'translate', 'mux'] as const;
export type WorkerRole = (typeof workerRoles)[number];

// Defaults go before the transform: zod applies a default after the transform unparsed.
const booleanFromEnv = (fallback: 'true' | 'false') =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'])
    .default(fallback)
    .transform((value) => value === 'true' || value === '1' || value === 'yes');

// Whisper's sampling temperatures, tried in order: "0,0.2,0.4,0.6,0.8,1" (openai's schedule).
const temperaturesFromEnv = z
  .string()
  .default('0,0.2,0.4,0.6,0.8,1')
  .transform((value, ctx) => {
    const temperatures = value.split(',').map((part) => Number(part.trim()));
    const valid = temperatures.every((t) => Number.isFinite(t) && t >= 0 && t <= 2);
    const rising = temperatures.every((t, i) => i === 0 || t > temperatures[i - 1]!);
    if (!valid || !rising || temperatures.length === 0 || temperatures.length > 10) {
      ctx.addIssue({ code: 'custom', message: 'a comma-separated, rising list of 1–10 temperatures between 0 and 2 (e.g. 0,0.2,0.4,0.6,0.8,1)' });
    }
    return temperatures;
  });

/** Where inference runs: `auto` = CUDA when its provider initialises, else the CPU. */
export const inferenceDevices = ['auto', 'cpu', 'cuda'] as const;
export type InferenceDevice = (typeof inferenceDevices)[number];

const rolesFromEnv = z
  .string()
  .default('all')
  .transform((value, ctx) => {
    const parts = value.split(',').map((part) => part.trim()).filter(Boolean);
    if (parts.length === 1 && parts[0] === 'all') return [...workerRoles];
    for (const part of parts) {
      if (!(workerRoles as readonly string[]).includes(part)) {
        ctx.addIssue({ code: 'custom', message: `unknown worker role "${part}" (use all or ${workerRoles.join(', ')})` });
      }
    }
    return parts as WorkerRole[];
  });

// --- S3 storage (STORAGE_DRIVER=s3). Credentials come from the AWS SDK's default chain (the ECS
// task role, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), never from this schema, so no secret is
// parsed, logged or frozen into Config. S3_ENDPOINT + S3_FORCE_PATH_STYLE serve S3-compatible servers.
const s3EnvSchema = {
  S3_BUCKET: z.string().regex(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/, 'not a valid S3 bucket name').optional(),
  S3_REGION: z.string().default('us-east-1'),
  S3_ENDPOINT: z.string().url().optional(),
  S3_FORCE_PATH_STYLE: booleanFromEnv('false'),
  S3_PRESIGN_TTL_SECONDS: z.coerce.number().int().min(1).max(7 * 24 * 3600).default(900),
};

const envSchema = z.object({
  ...s3EnvSchema,
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['error', 'warn', 'info', 'debug']).default('info'),
  DATA_DIR: z.string().default('data'),
  DATABASE_URL: z.string().optional(),
  STORAGE_DRIVER: z.enum(['local', 's3']).default('local'),
  STORAGE_DIR: z.string().optional(),
  REDIS_URL: z.string().url().default('redis://127.0.0.1:6379'),
  // The API's Redis commands fail after this long (503 to the client) instead of waiting for Redis.
  REDIS_COMMAND_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(2000),
  QUEUE_PREFIX: z.string().regex(/^[a-zA-Z0-9_-]+$/).default('babelfish'),
  WORKER_ROLES: rolesFromEnv,
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(32).default(1),
  JOB_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  // BullMQ job lock: renewed every half of it while a job runs; a job whose lock lapses (worker
  // killed, or its event loop blocked) is re-queued by the stalled-job check every STALLED_INTERVAL.
  WORKER_LOCK_MS: z.coerce.number().int().min(1000).default(120_000),
  WORKER_STALLED_INTERVAL_MS: z.coerce.number().int().min(500).default(30_000),
  // How long a translate worker's published engine list lives in Redis unless refreshed (it is
  // refreshed every third of this): a dead worker's engines stop being offered after at most this.
  WORKER_ENGINES_TTL_MS: z.coerce.number().int().min(1000).max(600_000).default(30_000),
  // Where the API learns which engines and pairs can run: what the running translate workers
  // publish (workers; the API image carries no translation tools), or this process's own
  // installed engines (local; one machine running everything).
  ENGINE_CATALOGUE: z.enum(['workers', 'local']).default('workers'),
  MODELS_DIR: z.string().default('models'),
  MODEL_CACHE_DIR: z.string().optional(),
  ALLOW_REMOTE_MODELS: booleanFromEnv('true'),
  // Where missing models are downloaded from: the Hugging Face hub, or a mirror with its URL layout
  // (<org>/<model>/resolve/<revision>/<file>). Only http(s); a trailing slash is dropped.
  MODEL_HUB_URL: z
    .string()
    .url()
    .default('https://huggingface.co')
    .refine((value) => /^https?:\/\//.test(value), 'must be an http:// or https:// URL')
    .transform((value) => value.replace(/\/+$/, '')),
  WHISPER_MODEL: z.string().default('Xenova/whisper-base'),
  WHISPER_DTYPE: z.enum(['q8', 'fp32', 'fp16', 'q4', 'int8', 'uint8']).default('q8'),
  // onnxruntime threads for Whisper (0 = one per core) and windows decoded together.
  WHISPER_THREADS: z.coerce.number().int().min(0).max(64).default(0),
  WHISPER_BATCH: z.coerce.number().int().min(1).max(16).default(4),
  // Whisper models a worker keeps loaded at once (WHISPER_MODEL and those that OpenAI-compatible
  // requests name); an idle one is unloaded, least recently used first, to load another.
  WHISPER_MAX_LOADED_MODELS: z.coerce.number().int().min(1).max(8).default(2),
  // Memory and start-up trade-offs of the Whisper runtime (packages/ml/src/whisper-runtime-levers.ts;
  // bench/memory-transcribe.ts measures each): the decoder's output projection as an 8-bit matmul
  // (int8) or dequantized to float at load (folded: ~250 MB more), the encoder's self-attention in
  // this many slices of queries (1 = as exported: ~100 MB more at each encoder run), onnxruntime's
  // memory arena for the decoder, and optimised graphs kept in MODEL_CACHE_DIR for a faster start.
  WHISPER_PROJECTION: z.enum(['int8', 'folded']).default('int8'),
  WHISPER_ATTENTION_CHUNKS: z.coerce.number().int().min(1).max(30).refine((chunks) => 1500 % chunks === 0, 'must divide 1500 (Whisper encoder frames)').default(6),
  WHISPER_DECODER_ARENA: booleanFromEnv('false'),
  WHISPER_GRAPH_CACHE: booleanFromEnv('true'),
  // Whisper's tokenizer and word grouping: our own (default; transformers.js is not loaded in the
  // Whisper thread) or transformers.js' (for side-by-side checks).
  WHISPER_TEXT: z.enum(['own', 'transformers']).default('own'),
  // A finished window's rows leave the decoder's caches in place (reuse) or by copying (copy).
  WHISPER_DECODER_BUFFERS: z.enum(['reuse', 'copy']).default('reuse'),
  // The decoder's cross-attention cache from one small graph per layer (layers) or its first step (decoder).
  WHISPER_CROSS_ATTENTION: z.enum(['layers', 'decoder']).default('layers'),
  // Every decoder step on its with-past branch, given a causal mask, and the other branch dropped
  // (single: the same outputs, less memory at load), or both branches of the export (merged).
  WHISPER_DECODER_BRANCH: z.enum(['single', 'merged']).default('single'),
  // The cached graphs' weights in a file beside each graph, memory-mapped (mapped: the token
  // embedding resident only where it is read) or inside the graph file, copied at load (inline).
  WHISPER_GRAPH_WEIGHTS: z.enum(['mapped', 'inline']).default('mapped'),
  // The 8-bit output projection's two passes in one MatMulInteger (joined: its 26 MB of weights
  // pre-packed once, the same logits) or one each (per-pass: pre-packed twice).
  WHISPER_PROJECTION_MATMULS: z.enum(['joined', 'per-pass']).default('joined'),
  // After each decoder step, the Whisper thread's young generation collected (young) so the step's
  // dead output copies are freed at once, or left to V8 (v8: up to ~40 MB of them at the peak).
  WHISPER_STEP_COLLECTION: z.enum(['young', 'v8']).default('young'),
  // The worker's Whisper thread's V8 young generation in MB (3 = 1 MB semi-spaces; 0 = V8's default,
  // which grows to 32 MB resident while the features and VAD allocate).
  WHISPER_THREAD_YOUNG_GENERATION_MB: z.coerce.number().int().min(0).max(256).default(3),
  // A batch's encoder states let go of once the cross-attention cache is computed (release; a
  // window that fails the quality checks is encoded again) or kept through the decode (keep).
  WHISPER_ENCODER_STATES: z.enum(['release', 'keep']).default('release'),
  // Where the ONNX models run: auto tries onnxruntime's CUDA provider and falls back to the CPU,
  // cuda refuses to start without it, cpu (the default: no probe, no provider error in the logs of
  // CPU-only hosts) never tries. The per-role settings override it, so one image serves a GPU
  // transcribe service next to CPU translate workers.
  INFERENCE_DEVICE: z.enum(inferenceDevices).default('cpu'),
  INFERENCE_DEVICE_TRANSCRIBE: z.enum(inferenceDevices).optional(),
  INFERENCE_DEVICE_TRANSLATE: z.enum(inferenceDevices).optional(),
  // Degenerate-output safeguards (openai/whisper's defaults): a window whose text compresses more
  // than COMPRESSION_RATIO (a loop) or whose mean token log-probability is below LOGPROB is decoded
  // again at the next of TEMPERATURES; P(no speech) above NO_SPEECH with a failed log-probability
  // drops the window as silence. MAX_WINDOW_TOKENS caps one window's decode.
  WHISPER_COMPRESSION_RATIO_THRESHOLD: z.coerce.number().min(1).max(100).default(2.4),
  WHISPER_LOGPROB_THRESHOLD: z.coerce.number().min(-100).max(0).default(-1),
  WHISPER_NO_SPEECH_THRESHOLD: z.coerce.number().min(0).max(1).default(0.6),
  WHISPER_TEMPERATURES: temperaturesFromEnv,
  WHISPER_MAX_WINDOW_TOKENS: z.coerce.number().int().min(16).max(440).default(224),
  WHISPER_SAMPLING_SEED: z.coerce.number().int().min(0).max(2 ** 32 - 1).default(0),
  // Audio longer than SPLIT is cut at pauses into chunks of about CHUNK seconds, transcribed as
  // child jobs by every transcribe worker and merged; shorter audio stays one job.
  TRANSCRIBE_SPLIT_SECONDS: z.coerce.number().positive().default(600),
  TRANSCRIBE_CHUNK_SECONDS: z.coerce.number().min(10).default(300),
  DEFAULT_ENGINE: z.enum(engineNames).optional(),
  // The llm engine: an OpenAI-compatible chat completions server (unset = no llm engine).
  LLM_BASE_URL: z.string().url().optional(),
  LLM_API_KEY: z.string().optional(),
  LLM_MODEL: z.string().trim().min(1).max(200).optional(),
  LLM_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  LLM_TIMEOUT_MS: z.coerce.number().int().min(100).max(30 * 60_000).default(60_000),
  HOST: z.string().default('0.0.0.0'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  // Where multipart uploads are received (default: the OS temp dir); left-overs are swept at start.
  UPLOAD_TEMP_DIR: z.string().optional(),
  MAX_UPLOAD_BYTES: z.coerce.number().int().positive().default(2 * 1024 ** 3),
  WEB_DIR: z.string().default('apps/web/dist'),
  MAX_DURATION_SECONDS: z.coerce.number().positive().default(4 * 3600),
  // Most streams (video, audio, subtitle, attachment) an upload may have: real files have a
  // handful, rips with many subtitle tracks and fonts a few dozen; hundreds are a muxing DoS.
  MAX_MEDIA_STREAMS: z.coerce.number().int().min(1).max(10_000).default(64),
  // api-key: every request needs a key (or a dashboard session) and sees only its owner's jobs.
  // none: single-user local mode; everything belongs to the owner "local".
  AUTH_MODE: z.enum(['api-key', 'none']).default('api-key'),
  // Hops of reverse proxies (nginx, ALB) in front of the API, so req.ip is the client's address.
  TRUST_PROXY: z.coerce.number().int().min(0).max(5).default(0),
  // Publish BullMQ queue depth to CloudWatch (Babelfish/QueueDepth) for worker autoscaling.
  QUEUE_METRICS_CLOUDWATCH: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).default(12 * 3600),
  RATE_LIMIT_SUBMIT_PER_MINUTE: z.coerce.number().int().min(1).default(30),
  RATE_LIMIT_READ_PER_MINUTE: z.coerce.number().int().min(1).default(600),
  // How long a request to the OpenAI / whisper-asr compatible APIs waits for its transcription
  // before it is canceled and answered 503 (Bazarr waits up to an hour).
  COMPAT_WAIT_SECONDS: z.coerce.number().int().min(1).max(24 * 3600).default(3600),
  // Comma-separated origins allowed to call the API from a browser; empty = same origin only.
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((origin) => origin.trim()).filter(Boolean)),
  // Versions kept per subtitle track (the first, the engine's original, among them); older edits are pruned on save.
  SUBTITLE_MAX_VERSIONS: z.coerce.number().int().min(2).max(1000).default(20),
  // Largest track an edit may save: cues, and UTF-8 bytes of text over all cues (413 above either).
  SUBTITLE_MAX_CUES: z.coerce.number().int().min(1).max(100_000).default(5000),
  SUBTITLE_MAX_TEXT_BYTES: z.coerce.number().int().min(1024).max(16 * 1024 ** 2).default(256 * 1024),
  // Webhook destinations that may be private, loopback or link-local (comma-separated host names,
  // IPs or CIDRs); public ones need no entry and cloud metadata addresses are never allowed.
  WEBHOOK_ALLOWED_HOSTS: z
    .string()
    .default('')
    .transform((value) => value.split(',').map((entry) => entry.trim().toLowerCase()).filter(Boolean))
    .refine((entries) => entries.every((entry) => /^[a-z0-9.:-]+(\/\d{1,3})?$/.test(entry)), 'comma-separated host names, IP addresses or CIDRs'),
  // One delivery attempt's limit, and the waits before each retry (ms; default: Standard Webhooks' schedule, about a day).
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  WEBHOOK_RETRY_DELAYS_MS: z
    .string()
    .default('5000,300000,1800000,7200000,18000000,36000000,36000000')
    .transform((value) => value.split(',').map((part) => Number(part.trim())))
    .refine((delays) => delays.length >= 1 && delays.length <= 20 && delays.every((d) => Number.isInteger(d) && d >= 0 && d <= 7 * 24 * 3600_000), 'a comma-separated list of 1–20 delays in ms'),
  // Signs webhooks of jobs submitted without a key (AUTH_MODE=none); keys each have their own.
  WEBHOOK_SECRET: z.string().regex(/^whsec_[A-Za-z0-9+/=]{32,}$/, 'a Standard Webhooks secret: whsec_ + base64 of 24+ random bytes').optional(),
  // Check every JSON response against the OpenAPI route table, answering 500 on a mismatch
  // (default: on when NODE_ENV=test, so the test suites validate the API's contract).
  API_RESPONSE_VALIDATION: z.enum(['true', 'false']).optional(),
  // Largest subtitle file (SRT, WebVTT, ASS) a job may import; its cues also count against the two above.
  SUBTITLE_IMPORT_MAX_BYTES: z.coerce.number().int().min(1024).max(256 * 1024 ** 2).default(4 * 1024 ** 2),
  FFMPEG_PATH: z.string().default('ffmpeg'),
  FFPROBE_PATH: z.string().default('ffprobe'),
}).superRefine((e, ctx) => {
  if (e.STORAGE_DRIVER === 's3' && !e.S3_BUCKET) {
    ctx.addIssue({ code: 'custom', path: ['S3_BUCKET'], message: 'required when STORAGE_DRIVER=s3' });
  }
  if (e.LLM_BASE_URL && !e.LLM_MODEL) {
    ctx.addIssue({ code: 'custom', path: ['LLM_MODEL'], message: 'required when LLM_BASE_URL is set (e.g. qwen2.5:7b, gpt-4o-mini)' });
  }
});

export type WhisperSafeguardSettings = WhisperSafeguards;

export type S3Settings = { bucket: string; region: string; endpoint?: string; forcePathStyle: boolean; presignTtlSeconds: number };

/** How much subtitle history and text one track may hold. */
export type SubtitleLimits = { maxVersions: number; maxCues: number; maxTextBytes: number; /** Largest imported subtitle file, in bytes. */ maxImportBytes: number };

export type Config = {
  env: 'development' | 'production' | 'test';
  logLevel: 'error' | 'warn' | 'info' | 'debug';
  dataDir: string;
  databaseUrl: string;
  /** `dir` is always set: local storage lives there, and the S3 backend does not use it. */
  storage: { driver: 'local' | 's3'; dir: string; s3?: S3Settings };
  redisUrl: string;
  /** How long an API request waits for one Redis command before answering 503. */
  redisCommandTimeoutMs: number;
  queuePrefix: string;
  worker: { roles: WorkerRole[]; concurrency: number; attempts: number; lockMs: number; stalledIntervalMs: number; enginesTtlMs: number };
  /** Where the API validates language pairs: the workers' published engines, or its own. */
  engineCatalogue: 'workers' | 'local';
  models: {
    dir: string;
    cacheDir: string;
    allowRemote: boolean;
    /** Base URL of the model hub (no trailing slash). */
    hubUrl: string;
    whisper: string;
    whisperDtype: string;
    whisperThreads: number;
    whisperBatch: number;
    /** Whisper models (threads) a worker keeps loaded at once. */
    whisperMaxLoaded: number;
    whisperSafeguards: WhisperSafeguardSettings;
    /** The Whisper runtime's levers (WhisperRuntimeLevers in @babelfish/ml). */
    whisperRuntime: { projection: 'int8' | 'folded'; attentionChunks: number; decoderArena: boolean; graphCache: boolean; text: 'own' | 'transformers'; decoderBuffers: 'reuse' | 'copy'; crossAttention: 'layers' | 'decoder'; decoderBranch: 'single' | 'merged'; graphWeights: 'mapped' | 'inline'; projectionMatmuls: 'joined' | 'per-pass'; stepCollection: 'young' | 'v8'; threadYoungGenerationMb: number; encoderStates: 'release' | 'keep' };
  };
  /** The device asked for per model family: Whisper (transcribe) and NLLB/Marian (translate). */
  inference: { transcribe: InferenceDevice; translate: InferenceDevice };
  transcription: { splitAboveSeconds: number; chunkSeconds: number };
  defaultEngine?: (typeof engineNames)[number];
  /** The llm engine's server; absent when LLM_BASE_URL is unset. */
  llm?: { baseUrl: string; apiKey?: string; model: string; concurrency: number; timeoutMs: number };
  http: { host: string; port: number; maxUploadBytes: number; maxDurationSeconds: number; maxMediaStreams: number; corsOrigins: string[]; validateResponses: boolean };
  ffmpeg: { ffmpegPath: string; ffprobePath: string };
  subtitles: SubtitleLimits;
  auth: { mode: 'api-key' | 'none'; sessionTtlSeconds: number; secureCookies: boolean };
  rateLimits: { submitPerMinute: number; readPerMinute: number };
  /** The OpenAI / whisper-asr compatible APIs: how long a request waits for its job. */
  compat: { waitSeconds: number };
  trustProxy: number;
  queueMetricsCloudWatch: boolean;
  /** Base folder for multipart uploads in flight (each API process sweeps crashed ones' left-overs). */
  uploadTempDir?: string;
  /** The dashboard's static build, served at / when present. */
  webDir: string;
  webhooks: { allowedHosts: string[]; timeoutMs: number; retryDelaysMs: number[]; secret?: string };
};

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ');
    throw new AppError('INVALID_CONFIG', `Invalid configuration: ${problems}`);
  }
  const e = parsed.data;
  const dataDir = path.resolve(e.DATA_DIR);
  return Object.freeze({
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    dataDir,
    // SQLite in the data dir is the embedded default; postgres:// URLs select PostgreSQL.
    databaseUrl: e.DATABASE_URL ?? `file:${path.join(dataDir, 'babelfish.db')}`,
    storage: {
      driver: e.STORAGE_DRIVER,
      dir: path.resolve(e.STORAGE_DIR ?? path.join(dataDir, 'storage')),
      s3: e.S3_BUCKET
        ? { bucket: e.S3_BUCKET, region: e.S3_REGION, endpoint: e.S3_ENDPOINT, forcePathStyle: e.S3_FORCE_PATH_STYLE, presignTtlSeconds: e.S3_PRESIGN_TTL_SECONDS }
        : undefined,
    },
    redisUrl: e.REDIS_URL,
    redisCommandTimeoutMs: e.REDIS_COMMAND_TIMEOUT_MS,
    queuePrefix: e.QUEUE_PREFIX,
    worker: {
      roles: e.WORKER_ROLES,
      concurrency: e.WORKER_CONCURRENCY,
      attempts: e.JOB_ATTEMPTS,
      lockMs: e.WORKER_LOCK_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
      enginesTtlMs: e.WORKER_ENGINES_TTL_MS,
    },
    engineCatalogue: e.ENGINE_CATALOGUE,
    models: {
      dir: path.resolve(e.MODELS_DIR),
      cacheDir: path.resolve(e.MODEL_CACHE_DIR ?? path.join(dataDir, 'model-cache')),
      allowRemote: e.ALLOW_REMOTE_MODELS,
      hubUrl: e.MODEL_HUB_URL,
      whisper: e.WHISPER_MODEL,
      whisperDtype: e.WHISPER_DTYPE,
      whisperThreads: e.WHISPER_THREADS,
      whisperBatch: e.WHISPER_BATCH,
      whisperMaxLoaded: e.WHISPER_MAX_LOADED_MODELS,
      whisperSafeguards: {
        compressionRatioThreshold: e.WHISPER_COMPRESSION_RATIO_THRESHOLD,
        logprobThreshold: e.WHISPER_LOGPROB_THRESHOLD,
        noSpeechThreshold: e.WHISPER_NO_SPEECH_THRESHOLD,
        temperatures: e.WHISPER_TEMPERATURES,
        maxWindowTokens: e.WHISPER_MAX_WINDOW_TOKENS,
        seed: e.WHISPER_SAMPLING_SEED,
      },
      whisperRuntime: {
        projection: e.WHISPER_PROJECTION,
        attentionChunks: e.WHISPER_ATTENTION_CHUNKS,
        decoderArena: e.WHISPER_DECODER_ARENA,
        graphCache: e.WHISPER_GRAPH_CACHE,
        text: e.WHISPER_TEXT,
        decoderBuffers: e.WHISPER_DECODER_BUFFERS,
        crossAttention: e.WHISPER_CROSS_ATTENTION,
        decoderBranch: e.WHISPER_DECODER_BRANCH,
        projectionMatmuls: e.WHISPER_PROJECTION_MATMULS,
        graphWeights: e.WHISPER_GRAPH_WEIGHTS,
        stepCollection: e.WHISPER_STEP_COLLECTION,
        threadYoungGenerationMb: e.WHISPER_THREAD_YOUNG_GENERATION_MB,
        encoderStates: e.WHISPER_ENCODER_STATES,
      },
    },
    inference: { transcribe: e.INFERENCE_DEVICE_TRANSCRIBE ?? e.INFERENCE_DEVICE, translate: e.INFERENCE_DEVICE_TRANSLATE ?? e.INFERENCE_DEVICE },
    transcription: { splitAboveSeconds: e.TRANSCRIBE_SPLIT_SECONDS, chunkSeconds: e.TRANSCRIBE_CHUNK_SECONDS },
    defaultEngine: e.DEFAULT_ENGINE,
    ...(e.LLM_BASE_URL && e.LLM_MODEL
      ? { llm: { baseUrl: e.LLM_BASE_URL, apiKey: e.LLM_API_KEY, model: e.LLM_MODEL, concurrency: e.LLM_CONCURRENCY, timeoutMs: e.LLM_TIMEOUT_MS } }
      : {}),
    http: { host: e.HOST, port: e.PORT, maxUploadBytes: e.MAX_UPLOAD_BYTES, maxDurationSeconds: e.MAX_DURATION_SECONDS, maxMediaStreams: e.MAX_MEDIA_STREAMS, corsOrigins: e.CORS_ORIGINS, validateResponses: (e.API_RESPONSE_VALIDATION ?? (e.NODE_ENV === 'test' ? 'true' : 'false')) === 'true' },
    ffmpeg: { ffmpegPath: e.FFMPEG_PATH, ffprobePath: e.FFPROBE_PATH },
    subtitles: { maxVersions: e.SUBTITLE_MAX_VERSIONS, maxCues: e.SUBTITLE_MAX_CUES, maxTextBytes: e.SUBTITLE_MAX_TEXT_BYTES, maxImportBytes: e.SUBTITLE_IMPORT_MAX_BYTES },
    webDir: path.resolve(e.WEB_DIR),
    ...(e.UPLOAD_TEMP_DIR ? { uploadTempDir: path.resolve(e.UPLOAD_TEMP_DIR) } : {}),
    auth: { mode: e.AUTH_MODE, sessionTtlSeconds: e.SESSION_TTL_SECONDS, secureCookies: e.NODE_ENV === 'production' },
    rateLimits: { submitPerMinute: e.RATE_LIMIT_SUBMIT_PER_MINUTE, readPerMinute: e.RATE_LIMIT_READ_PER_MINUTE },
    compat: { waitSeconds: e.COMPAT_WAIT_SECONDS },
    trustProxy: e.TRUST_PROXY,
    queueMetricsCloudWatch: e.QUEUE_METRICS_CLOUDWATCH,
    webhooks: { allowedHosts: e.WEBHOOK_ALLOWED_HOSTS, timeoutMs: e.WEBHOOK_TIMEOUT_MS, retryDelaysMs: e.WEBHOOK_RETRY_DELAYS_MS, ...(e.WEBHOOK_SECRET ? { secret: e.WEBHOOK_SECRET } : {}) },
  });
}
