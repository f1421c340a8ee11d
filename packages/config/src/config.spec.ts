import path from 'node:path';
import { AppError } from '@babelfish/core';
import { loadConfig } from './config';

describe('loadConfig', () => {
  it('gives embedded defaults: SQLite and local disk under the data dir, local Redis, every role', () => {
    const config = loadConfig({ DATA_DIR: '/tmp/bf' });
    expect(config.databaseUrl).toBe(`file:${path.join('/tmp/bf', 'babelfish.db')}`);
    expect(config.storage.dir).toBe('/tmp/bf/storage');
    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.worker.roles).toEqual(['transcribe', 'translate', 'mux']);
    expect(config.models.whisper).toBe('Xenova/whisper-base');
  });

  it('validates against the engines workers publish unless told to use its own, with a bounded TTL', () => {
    expect(loadConfig({}).engineCatalogue).toBe('workers');
    expect(loadConfig({ ENGINE_CATALOGUE: 'local' }).engineCatalogue).toBe('local');
    expect(() => loadConfig({ ENGINE_CATALOGUE: 'api' })).toThrow(/ENGINE_CATALOGUE/);
    expect(loadConfig({}).worker.enginesTtlMs).toBe(30_000);
    expect(loadConfig({ WORKER_ENGINES_TTL_MS: '3000' }).worker.enginesTtlMs).toBe(3000);
    expect(() => loadConfig({ WORKER_ENGINES_TTL_MS: '10' })).toThrow(/WORKER_ENGINES_TTL_MS/);
  });

  it('parses a role list and booleans', () => {
    const config = loadConfig({ WORKER_ROLES: 'transcribe, mux', ALLOW_REMOTE_MODELS: 'false' });
    expect(config.worker.roles).toEqual(['transcribe', 'mux']);
    expect(config.models.allowRemote).toBe(false);
  });

  it('downloads models from the Hugging Face hub unless MODEL_HUB_URL names a mirror (http or https only)', () => {
    expect(loadConfig({}).models.hubUrl).toBe('https://huggingface.co');
    expect(loadConfig({ MODEL_HUB_URL: 'http://hf-mirror.internal:8080/' }).models.hubUrl).toBe('http://hf-mirror.internal:8080');
    expect(() => loadConfig({ MODEL_HUB_URL: 'huggingface.co' })).toThrow(/MODEL_HUB_URL/);
    expect(() => loadConfig({ MODEL_HUB_URL: 'ftp://mirror/models' })).toThrow(/MODEL_HUB_URL: must be an http/);
  });

  it('limits the streams an upload may have, 64 unless set', () => {
    expect(loadConfig({}).http.maxMediaStreams).toBe(64);
    expect(loadConfig({ MAX_MEDIA_STREAMS: '8' }).http.maxMediaStreams).toBe(8);
    expect(() => loadConfig({ MAX_MEDIA_STREAMS: '0' })).toThrow(/MAX_MEDIA_STREAMS/);
  });

  it('limits subtitle history and track size, refusing limits that make no sense', () => {
    expect(loadConfig({}).subtitles).toEqual({ maxVersions: 20, maxCues: 5000, maxTextBytes: 256 * 1024, maxImportBytes: 4 * 1024 ** 2 });
    expect(loadConfig({ SUBTITLE_MAX_VERSIONS: '3', SUBTITLE_MAX_CUES: '10', SUBTITLE_MAX_TEXT_BYTES: '2048', SUBTITLE_IMPORT_MAX_BYTES: '4096' }).subtitles).toEqual({
      maxVersions: 3,
      maxCues: 10,
      maxTextBytes: 2048,
      maxImportBytes: 4096,
    });
    // One version would leave no room for an edit next to the engine's original.
    expect(() => loadConfig({ SUBTITLE_MAX_VERSIONS: '1' })).toThrow(/SUBTITLE_MAX_VERSIONS/);
    expect(() => loadConfig({ SUBTITLE_MAX_CUES: '0' })).toThrow(/SUBTITLE_MAX_CUES/);
    expect(() => loadConfig({ SUBTITLE_MAX_TEXT_BYTES: 'lots' })).toThrow(/SUBTITLE_MAX_TEXT_BYTES/);
    expect(() => loadConfig({ SUBTITLE_IMPORT_MAX_BYTES: '10' })).toThrow(/SUBTITLE_IMPORT_MAX_BYTES/);
  });

  it("gives Whisper openai/whisper's safeguard defaults, and takes overrides", () => {
    expect(loadConfig({}).models.whisperSafeguards).toEqual({
      compressionRatioThreshold: 2.4,
      logprobThreshold: -1,
      noSpeechThreshold: 0.6,
      temperatures: [0, 0.2, 0.4, 0.6, 0.8, 1],
      maxWindowTokens: 224,
      seed: 0,
    });
    const tuned = loadConfig({ WHISPER_TEMPERATURES: '0, 0.5', WHISPER_LOGPROB_THRESHOLD: '-0.8', WHISPER_NO_SPEECH_THRESHOLD: '0.5' });
    expect(tuned.models.whisperSafeguards).toMatchObject({ temperatures: [0, 0.5], logprobThreshold: -0.8, noSpeechThreshold: 0.5 });
  });

  it('refuses bad Whisper safeguards, naming each', () => {
    expect(() => loadConfig({ WHISPER_TEMPERATURES: '0,0.4,0.2' })).toThrow(/WHISPER_TEMPERATURES: a comma-separated, rising list/);
    expect(() => loadConfig({ WHISPER_TEMPERATURES: '0,hot' })).toThrow(/WHISPER_TEMPERATURES/);
    expect(() => loadConfig({ WHISPER_NO_SPEECH_THRESHOLD: '1.5' })).toThrow(/WHISPER_NO_SPEECH_THRESHOLD/);
    expect(() => loadConfig({ WHISPER_LOGPROB_THRESHOLD: '0.5' })).toThrow(/WHISPER_LOGPROB_THRESHOLD/);
    expect(() => loadConfig({ WHISPER_MAX_WINDOW_TOKENS: '8' })).toThrow(/WHISPER_MAX_WINDOW_TOKENS/);
  });

  it('Whisper runtime levers: the lean defaults, the previous settings on request, bad values refused', () => {
    expect(loadConfig({}).models.whisperRuntime).toEqual({ projection: 'int8', attentionChunks: 6, decoderArena: false, graphCache: true, text: 'own', decoderBuffers: 'reuse', crossAttention: 'layers', decoderBranch: 'single', projectionMatmuls: 'joined', graphWeights: 'mapped', stepCollection: 'young', threadYoungGenerationMb: 3, encoderStates: 'release' });
    const previous = loadConfig({ WHISPER_PROJECTION: 'folded', WHISPER_ATTENTION_CHUNKS: '1', WHISPER_DECODER_ARENA: 'true', WHISPER_GRAPH_CACHE: 'false', WHISPER_TEXT: 'transformers', WHISPER_DECODER_BUFFERS: 'copy', WHISPER_CROSS_ATTENTION: 'decoder', WHISPER_DECODER_BRANCH: 'merged', WHISPER_PROJECTION_MATMULS: 'per-pass', WHISPER_GRAPH_WEIGHTS: 'inline', WHISPER_STEP_COLLECTION: 'v8', WHISPER_THREAD_YOUNG_GENERATION_MB: '0', WHISPER_ENCODER_STATES: 'keep' });
    expect(previous.models.whisperRuntime).toEqual({ projection: 'folded', attentionChunks: 1, decoderArena: true, graphCache: false, text: 'transformers', decoderBuffers: 'copy', crossAttention: 'decoder', decoderBranch: 'merged', projectionMatmuls: 'per-pass', graphWeights: 'inline', stepCollection: 'v8', threadYoungGenerationMb: 0, encoderStates: 'keep' });
    expect(() => loadConfig({ WHISPER_PROJECTION: 'fp16' })).toThrow(/WHISPER_PROJECTION/);
    expect(() => loadConfig({ WHISPER_STEP_COLLECTION: 'full' })).toThrow(/WHISPER_STEP_COLLECTION/);
    expect(() => loadConfig({ WHISPER_ATTENTION_CHUNKS: '7' })).toThrow(/WHISPER_ATTENTION_CHUNKS: must divide 1500/);
    expect(() => loadConfig({ WHISPER_ATTENTION_CHUNKS: '0' })).toThrow(/WHISPER_ATTENTION_CHUNKS/);
  });

  it('configures the llm engine only with LLM_BASE_URL, which needs LLM_MODEL; concurrency 2 and timeout 60 s unless set', () => {
    expect(loadConfig({}).llm).toBeUndefined();
    expect(loadConfig({ LLM_BASE_URL: 'http://localhost:11434/v1', LLM_MODEL: 'qwen2.5:7b' }).llm).toEqual({
      baseUrl: 'http://localhost:11434/v1',
      apiKey: undefined,
      model: 'qwen2.5:7b',
      concurrency: 2,
      timeoutMs: 60_000,
    });
    expect(loadConfig({ LLM_BASE_URL: 'https://api.openai.com/v1', LLM_MODEL: 'gpt-4o-mini', LLM_API_KEY: 'sk-x', LLM_CONCURRENCY: '8', LLM_TIMEOUT_MS: '5000' }).llm).toMatchObject({ apiKey: 'sk-x', concurrency: 8, timeoutMs: 5000 });
    expect(() => loadConfig({ LLM_BASE_URL: 'http://localhost:11434/v1' })).toThrow(/LLM_MODEL: required when LLM_BASE_URL is set/);
    expect(() => loadConfig({ LLM_BASE_URL: 'not a url', LLM_MODEL: 'm' })).toThrow(/LLM_BASE_URL/);
    expect(() => loadConfig({ LLM_BASE_URL: 'http://h/v1', LLM_MODEL: 'm', LLM_CONCURRENCY: '0' })).toThrow(/LLM_CONCURRENCY/);
    expect(loadConfig({ DEFAULT_ENGINE: 'llm' }).defaultEngine).toBe('llm');
  });

  it('allows no private webhook destination and retries for about a day unless configured', () => {
    const defaults = loadConfig({}).webhooks;
    expect(defaults).toEqual({ allowedHosts: [], timeoutMs: 10_000, retryDelaysMs: [5000, 300000, 1800000, 7200000, 18000000, 36000000, 36000000] });
    expect(defaults.retryDelaysMs.reduce((sum, delay) => sum + delay, 0)).toBeGreaterThan(24 * 3600_000);
    const custom = loadConfig({ WEBHOOK_ALLOWED_HOSTS: '127.0.0.1, Hooks.Internal ,10.0.0.0/8', WEBHOOK_RETRY_DELAYS_MS: '100,200', WEBHOOK_SECRET: `whsec_${'A'.repeat(44)}` }).webhooks;
    expect(custom).toMatchObject({ allowedHosts: ['127.0.0.1', 'hooks.internal', '10.0.0.0/8'], retryDelaysMs: [100, 200], secret: `whsec_${'A'.repeat(44)}` });
    expect(() => loadConfig({ WEBHOOK_ALLOWED_HOSTS: 'http://x/y z' })).toThrow(/WEBHOOK_ALLOWED_HOSTS/);
    expect(() => loadConfig({ WEBHOOK_RETRY_DELAYS_MS: '5,-1' })).toThrow(/WEBHOOK_RETRY_DELAYS_MS/);
    expect(() => loadConfig({ WEBHOOK_SECRET: 'hunter2' })).toThrow(/WEBHOOK_SECRET/);
  });

  it('holds OpenAI / whisper-asr requests for their transcription up to an hour unless COMPAT_WAIT_SECONDS says', () => {
    expect(loadConfig({}).compat).toEqual({ waitSeconds: 3600 });
    expect(loadConfig({ COMPAT_WAIT_SECONDS: '120' }).compat.waitSeconds).toBe(120);
    expect(() => loadConfig({ COMPAT_WAIT_SECONDS: '0' })).toThrow(/COMPAT_WAIT_SECONDS/);
    expect(() => loadConfig({ COMPAT_WAIT_SECONDS: 'forever' })).toThrow(/COMPAT_WAIT_SECONDS/);
  });

  it('runs inference on the CPU unless INFERENCE_DEVICE says, each role overriding it', () => {
    expect(loadConfig({}).inference).toEqual({ transcribe: 'cpu', translate: 'cpu' });
    expect(loadConfig({ INFERENCE_DEVICE: 'auto' }).inference).toEqual({ transcribe: 'auto', translate: 'auto' });
    expect(loadConfig({ INFERENCE_DEVICE: 'auto', INFERENCE_DEVICE_TRANSCRIBE: 'cuda' }).inference).toEqual({ transcribe: 'cuda', translate: 'auto' });
    expect(loadConfig({ INFERENCE_DEVICE_TRANSLATE: 'cuda' }).inference).toEqual({ transcribe: 'cpu', translate: 'cuda' });
    expect(() => loadConfig({ INFERENCE_DEVICE: 'gpu' })).toThrow(/INFERENCE_DEVICE/);
    expect(() => loadConfig({ INFERENCE_DEVICE_TRANSCRIBE: 'tpu' })).toThrow(/INFERENCE_DEVICE_TRANSCRIBE/);
  });

  it('refuses bad settings at start-up, naming each', () => {
    expect(() => loadConfig({ WORKER_ROLES: 'transcode', PORT: 'eighty' })).toThrow(AppError);
    expect(() => loadConfig({ WORKER_ROLES: 'transcode' })).toThrow(/WORKER_ROLES: unknown worker role "transcode"/);
    expect(() => loadConfig({ PORT: 'eighty' })).toThrow(/PORT/);
  });
});
