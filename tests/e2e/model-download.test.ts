import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wordErrorRate, type ProgressEvent } from '@babelfish/core';
import { configureModels, disposeWhisperModels, getWhisper, modelFiles } from '@babelfish/ml';
import { glossTranslation, TINY_NLLB_MODEL_ID, writeTinyNllb } from '../../packages/ml/src/testing/tiny-text-models';
import { closedPort, startModelHub, type ModelHub } from '../support/model-hub';
import { runCli as runCliProcess } from '../support/cli';
import { modelsDir, sample } from '../support/paths';
import { watchJob } from '../support/socket';
import { startStack, type Stack } from '../support/stack';
import { spawnWorker } from '../support/worker-process';

/**
 * The path every real deployment takes first: models are not installed, so they come from the
 * hub into the cache (here a hub-shaped server on loopback serving the shared model files), and
 * every later run uses the cache without the network.
 */

/** The CLI with this process's log level (its info lines are asserted), not the helper's quiet default. */
const runCli = (args: string[], env: Record<string, string>, timeoutMs = 150_000) => runCliProcess(args, { LOG_LEVEL: process.env.LOG_LEVEL ?? 'info', ...env }, timeoutMs);

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
    // The job's `download` stage on the bar, then back to transcribing once the model is in.
    expect(run.stderr).toMatch(/downloading model 100% · Downloading model Xenova\/whisper-tiny: file 7 of 7, 100% of 30\.7 MB/);
    expect(run.stderr).toMatch(/downloading model \d+% · Downloading model Xenova\/whisper-tiny: file 1 of 7/);
    expect(run.stderr).toMatch(/transcribe \d+% · Model Xenova\/whisper-tiny downloaded/);
    expect(run.stderr).toMatch(/downloading model \d+% · Downloading model snakers4\/silero-vad: file 1 of 1/);
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

describe('a model downloaded during a job: the `download` stage over the API and Socket.IO', () => {
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'babelfish-hub-job-'));
  const hubRoot = path.join(scratch, 'hub');
  const cache = path.join(scratch, 'cache');
  let hub: ModelHub;
  let stack: Stack;
  // The hub has the (tiny, generated) NLLB; the worker's cache is empty, Whisper is installed.
  writeTinyNllb(hubRoot);

  type Track = { language: string; segments: { text: string }[] };
  const joined = (track: Track | undefined) => (track?.segments ?? []).map((cue) => cue.text).join(' ').replace(/\s+/g, ' ').trim();

  beforeAll(async () => {
    // A slow link (each file answered 400 ms late), so the job is seen in its download stage.
    hub = await startModelHub(hubRoot, { delayMs: 400 });
    stack = await startStack({ database: 'sqlite', env: { MODEL_CACHE_DIR: cache, ALLOW_REMOTE_MODELS: 'true', MODEL_HUB_URL: hub.url } });
  });
  afterAll(async () => {
    await stack?.stop();
    await hub?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  /** Submits jfk.mp4 for NLLB; returns its Socket.IO events and every stage GET /v1/jobs/:id showed meanwhile. */
  async function translateWithNllb() {
    const submitted = await stack.http().post('/v1/jobs').field('from', 'en').field('to', 'es').field('engine', 'nllb').attach('file', sample('jfk.mp4'));
    expect([submitted.status, submitted.body.error]).toEqual([202, undefined]);
    const jobId: string = submitted.body.job.id;
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    const stagesSeen = new Set<string>();
    let done = false;
    const polling = (async () => {
      while (!done) {
        const { job } = (await stack.http().get(`/v1/jobs/${jobId}`)).body;
        stagesSeen.add(`${job.status}:${job.stage}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();
    const last = await watch.finished.finally(() => (done = true));
    await polling;
    watch.close();
    const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
    expect({ status: last.status, error: job.error }).toEqual({ status: 'completed', error: null });
    return { jobId, job, events: watch.events as ProgressEvent[], stagesSeen };
  }

  it('the translate stage downloads NLLB into the empty cache as the job\'s `download` stage, then translates with it', async () => {
    const { jobId, job, events, stagesSeen } = await translateWithNllb();
    const downloads = events.filter((event) => event.stage === 'download');
    const files = modelFiles(TINY_NLLB_MODEL_ID, 'q8').filter((file) => fs.existsSync(path.join(hubRoot, TINY_NLLB_MODEL_ID, file.path)));
    expect(downloads.length).toBeGreaterThan(0);
    for (const event of downloads) {
      expect(event).toMatchObject({ status: 'processing', language: 'es', message: expect.stringMatching(new RegExp(`^Downloading model ${TINY_NLLB_MODEL_ID}: file \\d+ of ${modelFiles(TINY_NLLB_MODEL_ID, 'q8').length}`)) });
    }
    // The download's own percent climbs to 100; the job's percent never goes back meanwhile.
    const downloadPercents = downloads.map((event) => event.stagePercent);
    expect(downloadPercents).toEqual([...downloadPercents].sort((a, b) => a - b));
    expect(downloadPercents.at(-1)).toBe(100);
    const jobPercents = events.map((event) => event.percent);
    expect(jobPercents).toEqual([...jobPercents].sort((a, b) => a - b));
    // In order: transcribed first, the download inside the translate stage, then translating with the model.
    const firstDownload = events.indexOf(downloads[0]!);
    const lastDownload = events.indexOf(downloads.at(-1)!);
    expect(events.slice(0, firstDownload).some((event) => event.stage === 'transcribe')).toBe(true);
    expect(events[lastDownload + 1]).toMatchObject({ stage: 'translate', language: 'es', message: `Model ${TINY_NLLB_MODEL_ID} downloaded` });
    expect(events.slice(lastDownload + 1).some((event) => event.stage === 'translate' && event.stagePercent === 100)).toBe(true);
    // The job view showed the stage too (what the dashboard labels "Downloading model").
    expect(stagesSeen).toContain('processing:download');

    expect(job.translations).toEqual([expect.objectContaining({ language: 'es', engine: 'nllb' })]);
    const tracks = (await stack.http().get(`/v1/jobs/${jobId}/subtitles`)).body.tracks as Track[];
    const english = joined(tracks.find((track) => track.language === 'en'));
    expect(joined(tracks.find((track) => track.language === 'es'))).toBe(glossTranslation(english, 'es'));
    for (const file of files) expect(fs.existsSync(path.join(cache, TINY_NLLB_MODEL_ID, file.path))).toBe(true);
    process.stdout.write(`download stage: ${downloads.length} events, ${files.length} files into ${cache}; job view stages ${[...stagesSeen].join(', ')}\n`);
  });

  it('a second job finds the model in the cache: no download stage', async () => {
    const before = hub.requests.length;
    const { events } = await translateWithNllb();
    expect(events.filter((event) => event.stage === 'download')).toEqual([]);
    expect(hub.requests.slice(before).filter((url) => url.includes(TINY_NLLB_MODEL_ID))).toEqual([]);
  });
});
