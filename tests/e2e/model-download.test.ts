import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wordErrorRate } from '@babelfish/core';
import { configureModels, disposeWhisperModels, getWhisper, modelFiles } from '@babelfish/ml';
import { closedPort, startModelHub, type ModelHub } from '../support/model-hub';
import { modelsDir, repoRoot, sample } from '../support/paths';
import { spawnWorker } from '../support/worker-process';

/**
 * The path every real deployment takes first: models are not installed, so they come from the
 * hub into the cache (here a hub-shaped server on loopback serving the shared model files), and
 * every later run uses the cache without the network.
 */

type CliRun = { code: number | null; stdout: string; stderr: string; ms: number };

/** Asynchronous on purpose: the hub answers from this process, so the CLI must not block it. */
function runCli(args: string[], env: Record<string, string>, timeoutMs = 150_000): Promise<CliRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(repoRoot, 'node_modules/.bin/tsx'), ['--conditions=development', 'apps/cli/src/main.ts', ...args], {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');
const TINY = 'Xenova/whisper-tiny';

describe('model download from a hub into the cache', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'babelfish-hub-'));
  const emptyModels = path.join(scratch, 'models');
  const cache = path.join(scratch, 'cache');
  let hub: ModelHub | undefined;
  fs.mkdirSync(emptyModels);

  const env = (overrides: Record<string, string> = {}) => ({
    DATA_DIR: path.join(scratch, 'data'),
    MODELS_DIR: emptyModels,
    MODEL_CACHE_DIR: cache,
    ALLOW_REMOTE_MODELS: 'true',
    MODEL_HUB_URL: hub?.url ?? 'http://127.0.0.1:1',
    WHISPER_MODEL: TINY,
    REDIS_URL: 'redis://127.0.0.1:1',
    ...overrides,
  });

  beforeAll(async () => {
    hub = await startModelHub(modelsDir);
  });
  afterAll(async () => {
    await hub?.close();
    await disposeWhisperModels();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('`models pull` downloads every file the loader reads, byte for byte, with a progress bar', async () => {
    const run = await runCli(['models', 'pull', TINY], env());
    expect([run.code, run.stderr.slice(-500)]).toEqual([0, expect.any(String)]);
    expect(run.stdout).toContain(`${TINY}: downloaded into ${cache} (7 files, 43.6 MB)`);

    const files = modelFiles(TINY, 'q8').map((file) => file.path);
    expect(files).toHaveLength(7);
    for (const file of files) {
      const original = path.join(modelsDir, TINY, file);
      const copy = path.join(cache, TINY, file);
      expect([file, fs.statSync(copy).size]).toEqual([file, fs.statSync(original).size]);
      expect([file, sha256(copy)]).toEqual([file, sha256(original)]);
    }
    // Nothing half-written is left beside them.
    expect(fs.readdirSync(path.join(cache, TINY, 'onnx')).sort()).toEqual(['decoder_model_merged_quantized.onnx', 'encoder_model_quantized.onnx']);
    // The ONNX files came through the hub's redirect to its CDN path.
    expect(hub!.requests).toContain(`/cdn/${TINY}/onnx/encoder_model_quantized.onnx`);
    // The bar (stderr is not a terminal here: a line per file every 10%).
    expect(run.stderr).toMatch(/\] +0% {2}Xenova\/whisper-tiny onnx\/decoder_model_merged_quantized\.onnx \(7\/7\)/);
    expect(run.stderr).toMatch(/\] 100% {2}Xenova\/whisper-tiny onnx\/decoder_model_merged_quantized\.onnx \(7\/7\) {2}30\.7\/30\.7 MB/);

    // Without ids: what the first transcription needs, WHISPER_MODEL (cached already) and the VAD.
    const defaults = await runCli(['models', 'pull'], env());
    expect(defaults.stdout).toContain(`${TINY}: already in ${cache} (7 files, 43.6 MB)`);
    expect(defaults.stdout).toContain(`snakers4/silero-vad: downloaded into ${cache} (1 file, 2.3 MB)`);
  });

  it('`models list` shows both folders with sizes', async () => {
    const run = await runCli(['models', 'list'], env());
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`MODELS_DIR ${emptyModels}\n  (none)`);
    expect(run.stdout).toMatch(new RegExp(`MODEL_CACHE_DIR ${cache}\\n  snakers4/silero-vad +1 file +2\\.3 MB\\n  Xenova/whisper-tiny +7 files +43\\.6 MB`));
    const shared = await runCli(['models', 'list'], env({ MODELS_DIR: modelsDir }));
    expect(shared.stdout).toMatch(/ {2}snakers4\/silero-vad +1 file +2\.3 MB/);
    expect(shared.stdout).toMatch(/ {2}Xenova\/whisper-base +7 files +79\.7 MB/);
  });

  it('then transcribes jfk.wav from the cache alone: hub stopped, remote models off', async () => {
    await hub!.close();
    hub = undefined;
    configureModels({ modelsDir: emptyModels, cacheDir: cache, allowRemote: false });
    const whisper = await getWhisper(TINY, 'q8');
    expect(whisper.usesVad).toBe(true); // the VAD pulled above, from the cache too
    const segments = await whisper.transcribe({ wavPath: sample('jfk.wav') }, { language: 'en' });
    const text = segments.map((segment) => segment.text).join(' ');
    expect(wordErrorRate(fs.readFileSync(sample('jfk.txt'), 'utf8'), text)).toBeLessThanOrEqual(0.2);
    await disposeWhisperModels();
  });

  it('`translate` with an empty cache downloads Whisper and the VAD on first use, and says so', async () => {
    hub = await startModelHub(modelsDir);
    const freshCache = path.join(scratch, 'cache-first-use');
    const outDir = path.join(scratch, 'out');
    const run = await runCli(['translate', sample('jfk.mp4'), '--to', 'es', '--from', 'en', '--engine', 'apertium', '--out', outDir], env({ MODEL_CACHE_DIR: freshCache }));
    expect([run.code, run.stderr.slice(-800)]).toEqual([0, expect.any(String)]);
    expect(run.stderr).toMatch(/transcribe \d+% · Downloading model Xenova\/whisper-tiny: file 7 of 7, 100% of 30\.7 MB/);
    expect(run.stderr).toMatch(/Downloading model snakers4\/silero-vad: file 1 of 1/);
    expect(fs.readdirSync(outDir)).toEqual(expect.arrayContaining(['jfk.es.srt', 'jfk.es.vtt']));
    expect(fs.statSync(path.join(freshCache, 'snakers4/silero-vad/silero_vad.onnx')).size).toBe(2_327_524);
    expect(fs.statSync(path.join(freshCache, TINY, 'onnx/encoder_model_quantized.onnx')).size).toBe(10_124_910);
  });

  it('with remote loading on but no hub reachable, picks an engine that can run (not NLLB) before transcribing', async () => {
    const outDir = path.join(scratch, 'out-offline');
    const run = await runCli(
      ['translate', sample('jfk.mp4'), '--to', 'es', '--from', 'en', '--out', outDir],
      env({ MODELS_DIR: modelsDir, MODEL_HUB_URL: `http://127.0.0.1:${await closedPort()}` }),
    );
    expect([run.code, run.stderr.slice(-800)]).toEqual([0, expect.any(String)]);
    expect(fs.readFileSync(path.join(outDir, 'jfk.es.srt'), 'utf8')).toMatch(/país/);
  });

  it('a transcribe worker booting with an empty cache downloads the models and logs it', async () => {
    const workerCache = path.join(scratch, 'cache-worker');
    const worker = await spawnWorker(env({ MODEL_CACHE_DIR: workerCache, REDIS_URL: 'redis://127.0.0.1:6379', WORKER_ROLES: 'transcribe', QUEUE_PREFIX: `hub-${Date.now()}` }), 120_000);
    try {
      // JSON log lines, keys in alphabetical order.
      expect(worker.output()).toMatch(/"file":"onnx\/decoder_model_merged_quantized.onnx","index":7,.*"message":"downloading model","modelId":"Xenova\/whisper-tiny","percent":100/);
      expect(worker.output()).toMatch(/"message":"downloading model","modelId":"snakers4\/silero-vad","percent":100/);
      expect(fs.statSync(path.join(workerCache, TINY, 'onnx/decoder_model_merged_quantized.onnx')).size).toBe(30_727_765);
    } finally {
      await worker.stop();
    }
  });

  it('a model the hub does not have fails with MODEL_UNAVAILABLE naming the missing file', async () => {
    const run = await runCli(['models', 'pull', 'Xenova/whisper-small'], env({ MODEL_CACHE_DIR: path.join(scratch, 'cache-missing') }));
    expect(run.code).toBe(1);
    expect(run.stderr).toContain(`babelfish: MODEL_UNAVAILABLE: could not download Xenova/whisper-small from ${hub!.url}: config.json is not there (HTTP 404)`);
  });

  it('an unreachable hub fails quickly with one clear line, no stack', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const run = await runCli(['models', 'pull', 'Xenova/whisper-base'], env({ MODEL_HUB_URL: url, MODEL_CACHE_DIR: path.join(scratch, 'cache-unreachable') }));
    expect(run.code).toBe(1);
    expect(run.stderr.trim()).toBe(`babelfish: MODEL_UNAVAILABLE: could not download Xenova/whisper-base from ${url}: connection refused`);
    expect(run.ms).toBeLessThan(20_000); // mostly tsx starting; the refused connection itself is instant
  });

  it('a worker that cannot download its model exits with that reason in one log line', async () => {
    const url = `http://127.0.0.1:${await closedPort()}`;
    const boot = spawnWorker(env({ MODEL_HUB_URL: url, MODEL_CACHE_DIR: path.join(scratch, 'cache-worker-down'), REDIS_URL: 'redis://127.0.0.1:6379', WORKER_ROLES: 'transcribe', QUEUE_PREFIX: `hub-${Date.now()}` }));
    await expect(boot).rejects.toThrow(`could not download Xenova/whisper-tiny from ${url}: connection refused`);
    await expect(boot).rejects.toThrow(/"message":"worker failed to start"/);
  });
});
