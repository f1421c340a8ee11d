/**
 * Memory and start-up of a transcribe worker, before and after each lever, in one run.
 * `tsx --conditions=development bench/memory-transcribe.ts [--quick]` (in `pnpm bench --full`);
 * `--third`, `--branch` and `--fifth name={env} …` run only those rounds' worker comparisons (bench/README.md).
 *
 * Worker runs (real worker processes, as `pnpm worker` runs them, on the real Redis): the English
 * talk (84.5 s, JFK × 6 with pauses) is queued first, then one transcribe worker is started, so
 * one run gives its start (process start → "worker started"; → the job taken), the job (taken →
 * first transcript progress; → transcribed), the word error rate, and the peak RSS of its process
 * tree (node with its Whisper thread, ffmpeg children): sampled every 100 ms, and the node
 * process's own high-water mark (VmHWM, exact, model load included). "before" is the code of
 * BASELINE_REF (the last commit before these levers, run from a `git archive` of it with today's
 * node_modules); the "after, but …" runs turn one lever back to its previous setting through its
 * environment variable (WHISPER_PROJECTION, WHISPER_ATTENTION_CHUNKS, WHISPER_DECODER_ARENA,
 * WHISPER_GRAPH_CACHE). Then idle workers: every role (transcribe, translate, mux) and mux only,
 * before and after, with whether onnxruntime's library is mapped into the mux-only one.
 *
 * In-process runs (one WhisperModel, as the Whisper thread holds it): speed and WER with the new
 * levers vs the previous settings (PREVIOUS_RUNTIME_LEVERS), alternated; the time from the
 * transcribe call to its first decoded window; the model load with the optimised-graph cache
 * empty (page cache warm: "cold-ish") and filled.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { wordErrorRate, type Transcript } from '@babelfish/core';
import { configureModels, disposeWhisperModels, getWhisper, PREVIOUS_RUNTIME_LEVERS, type WhisperRuntimeLevers } from '@babelfish/ml';
import { storageKeys } from '@babelfish/storage';
import { loadWhisperRuntime } from '../packages/ml/src/whisper-runtime';
import { baselineTree } from './lib/baseline-tree';
import { benchDir, buildTalk, modelsDir, processTree, round, sampleTreeRss, SAMPLE_RATE } from './lib/fixtures';
import { startFleet, waitForTranscript, type Fleet } from './lib/worker-fleet';
import { DTYPE, MODEL } from './lib/transcribers';

/** The last commit before the memory levers (2026-12-01). */
const BASELINE_REF = 'e808f7f';
const quick = process.argv.includes('--quick');
/** glibc settings for the worker (docker/worker.Dockerfile ENV): fewer arenas, big blocks mmapped and returned on free. */
const MALLOC_ENV = { MALLOC_ARENA_MAX: '2', MALLOC_MMAP_THRESHOLD_: '1048576', MALLOC_TRIM_THRESHOLD_: '1048576' };
/** `--third`: only the third round's worker runs (decoder buffers reused vs copied, alternated). */
const thirdOnly = process.argv.includes('--third');
/** `--fifth name={env} …`: compiled workers with the malloc settings, the given settings alternated. */
const fifthOnly = process.argv.includes('--fifth');
const talk = buildTalk('talk-en');
const cacheDir = path.join(benchDir(), 'memory-transcribe-model-cache');
// `--branch`'s child: one model load in a fresh process (so its VmHWM is the load's own peak),
// from the graph cache the parent filled (`filled`) or from an empty one (`empty`: every graph
// optimised and written, as on a first start).
const loadChild = process.env.BRANCH_LOAD_CHILD;
if (loadChild !== undefined) {
  const [branch, cache] = loadChild.split(':') as ['single' | 'merged', 'filled' | 'empty'];
  const dir = cache === 'empty' ? fs.mkdtempSync(path.join(benchDir(), 'branch-load-')) : cacheDir;
  configureModels({ modelsDir, cacheDir: dir, allowRemote: false });
  const runtime = await loadWhisperRuntime(MODEL, DTYPE, { levers: { decoderBranch: branch } });
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((resolve) => setTimeout(resolve, 500));
  const result = { branch, cache: `${runtime.load.encoder}/${runtime.load.decoder}`, seconds: round(runtime.load.seconds), rssAfterLoadMb: round(statusMb(process.pid, 'VmRSS'), 0), loadPeakMb: round(statusMb(process.pid, 'VmHWM'), 0) };
  if (cache === 'empty') fs.rmSync(dir, { recursive: true, force: true });
  console.log(JSON.stringify(result));
  process.exit(0);
}
fs.rmSync(cacheDir, { recursive: true, force: true });
const baselineRoot = baselineTree(BASELINE_REF);

// --- In-process: model load without and with the optimised-graph cache (this also fills the
// cache for the worker runs below, one entry per lever setting that changes the graph).
configureModels({ modelsDir, cacheDir, allowRemote: false });
// 2026-12-01, third round: a finished window's rows leave the decoder caches in place, or copied
// as before (WHISPER_DECODER_BUFFERS=copy); the cross-attention cache from one graph per layer, or
// from the decoder's first step as before (WHISPER_CROSS_ATTENTION=decoder); with the images'
// malloc settings, alternated.
const SECOND_ROUND = { WHISPER_DECODER_BUFFERS: 'copy', WHISPER_CROSS_ATTENTION: 'decoder' };
const thirdRound = [
  { name: 'third round: malloc settings, every lever (default)', env: MALLOC_ENV },
  { name: 'third round: malloc settings, but WHISPER_CROSS_ATTENTION=decoder', env: { WHISPER_CROSS_ATTENTION: 'decoder', ...MALLOC_ENV } },
  { name: 'third round: malloc settings, but WHISPER_DECODER_BUFFERS=copy', env: { WHISPER_DECODER_BUFFERS: 'copy', ...MALLOC_ENV } },
  { name: 'third round: malloc settings, both back (second round)', env: { ...SECOND_ROUND, ...MALLOC_ENV } },
  { name: 'third round: every lever, without the malloc settings', env: {} },
];
// 2026-12-01, fourth round (`--branch`): the decoder on one branch (WHISPER_DECODER_BRANCH=single,
// the default) or both as exported (merged): model loads with the optimised-graph cache empty and
// filled, then transcribe workers on the talk and idle transcribe workers (model loaded), with the
// images' malloc settings, alternated.
if (process.argv.includes('--branch')) {
  const settings = ['merged', 'single'] as const;
  const rounds = quick ? 1 : 2;
  const loadRuns: { branch: string; emptyCacheSeconds: number; filledCacheSeconds: number[] }[] = [];
  for (let round_ = 0; round_ < rounds; round_++) {
    for (const branch of round_ % 2 === 0 ? settings : settings.toReversed()) {
      fs.rmSync(cacheDir, { recursive: true, force: true });
      const empty = await timedLoad({ decoderBranch: branch });
      const filled = [await timedLoad({ decoderBranch: branch }), await timedLoad({ decoderBranch: branch })];
      loadRuns.push({ branch, emptyCacheSeconds: empty.seconds, filledCacheSeconds: filled.map((load) => load.seconds) });
    }
  }
  // Both settings' graphs in the cache, as a worker finds them after its first start.
  for (const branch of settings) await timedLoad({ decoderBranch: branch });
  // Each load again in a process of its own, with the images' malloc settings: its peak and what stays.
  const processLoads = [];
  for (let round_ = 0; round_ < rounds + 1; round_++) {
    for (const cache of ['filled', 'empty']) {
      for (const branch of round_ % 2 === 0 ? settings : settings.toReversed()) {
        const out = execFileSync(process.execPath, [...process.execArgv, import.meta.filename], { env: { ...process.env, ...MALLOC_ENV, BRANCH_LOAD_CHILD: `${branch}:${cache}` } }).toString();
        processLoads.push(JSON.parse(out.slice(out.indexOf('{'))) as Record<string, unknown>);
      }
    }
  }
  const workers = [];
  const idleRuns = [];
  for (let round_ = 0; round_ < rounds + 1; round_++) {
    for (const branch of round_ % 2 === 0 ? settings : settings.toReversed()) {
      const env = { WHISPER_DECODER_BRANCH: branch, ...MALLOC_ENV };
      workers.push({ branch, ...(await transcribeWorkerRun(env)) });
      idleRuns.push({ branch, ...(await idleWorker('transcribe', undefined, false, env)) });
    }
  }
  console.log(JSON.stringify({ bench: 'memory-transcribe', round: 'fourth (decoder branch)', loads: loadRuns, processLoads, transcribeWorkers: workers, idleTranscribeWorkers: idleRuns }, null, 1));
  process.exit(0);
}
if (thirdOnly) {
  // Fills the optimised-graph cache for both settings, as the full run's loads do.
  await timedLoad({});
  await timedLoad({ crossAttention: 'decoder' });
  const runs = [];
  for (const run of [...thirdRound, ...thirdRound.toReversed()]) runs.push({ name: run.name, ...(await transcribeWorkerRun(run.env)) });
  console.log(JSON.stringify({ bench: 'memory-transcribe', round: 'third', transcribeWorkers: runs }, null, 1));
  process.exit(0);
}
if (fifthOnly) {
  // 2026-12-01, fifth round: compiled workers (`node dist/worker.js`, as the images run them) with
  // the images' malloc settings; each `name={"ENV":"value",...}` argument is one worker setting,
  // alternated over FIFTH_ROUNDS rounds (default 2). The text hash shows the transcripts are equal.
  const variants = process.argv.slice(2).filter((arg) => arg.includes('='));
  const list = (variants.length > 0 ? variants : ['current={}']).map((arg) => ({
    name: arg.slice(0, arg.indexOf('=')),
    env: JSON.parse(arg.slice(arg.indexOf('=') + 1) || '{}') as Record<string, string>,
  }));
  execFileSync(process.execPath, [path.join(import.meta.dirname, '../scripts/build-dist.mjs')], { stdio: 'ignore' });
  // One compiled warm-up run fills the optimised-graph cache (and the page cache).
  await transcribeWorkerRun(MALLOC_ENV, undefined, true);
  const runs = [];
  for (let round_ = 0; round_ < Number(process.env.FIFTH_ROUNDS ?? 2); round_++) {
    for (const run of round_ % 2 === 0 ? list : list.toReversed()) runs.push({ name: run.name, ...(await transcribeWorkerRun({ ...MALLOC_ENV, ...run.env }, undefined, true)) });
  }
  console.log(JSON.stringify({ bench: 'memory-transcribe', round: 'fifth', transcribeWorkers: runs }, null, 1));
  process.exit(0);
}
const loads: Record<string, unknown> = {};
for (const [name, levers] of Object.entries({
  defaults: {},
  foldedProjection: { projection: 'folded' },
  attentionUnsplit: { attentionChunks: 1 },
} satisfies Record<string, Partial<WhisperRuntimeLevers>>)) {
  const cold = await timedLoad(levers);
  const warm = await timedLoad(levers);
  loads[name] = { emptyCacheSeconds: cold.seconds, filledCacheSeconds: warm.seconds, cache: [cold.cache, warm.cache] };
}
const previousLoad = await timedLoad(PREVIOUS_RUNTIME_LEVERS);

// --- In-process: speed and WER, the new levers vs the previous settings, alternated.
const inProcess = { previous: [] as InProcessRun[], current: [] as InProcessRun[] };
for (let round_ = 0; round_ < (quick ? 1 : 2); round_++) {
  const order = round_ % 2 === 0 ? (['previous', 'current'] as const) : (['current', 'previous'] as const);
  for (const which of order) inProcess[which].push(await inProcessRun(which === 'previous' ? PREVIOUS_RUNTIME_LEVERS : {}));
}

// --- Worker processes.
const workerRuns: { name: string; env?: Record<string, string>; root?: string; compiled?: boolean }[] = [
  { name: `before (${BASELINE_REF})`, root: baselineRoot },
  { name: 'after (every lever)' },
  // The same code compiled (dist/, plain node as the images run it) instead of through tsx.
  { name: 'after, compiled', compiled: true },
  ...(quick
    ? []
    : [
        { name: 'after, but folded projection', env: { WHISPER_PROJECTION: 'folded' } },
        { name: 'after, but attention in one piece', env: { WHISPER_ATTENTION_CHUNKS: '1' } },
        { name: 'after, but decoder arena on', env: { WHISPER_DECODER_ARENA: 'true' } },
        { name: 'after, but no graph cache', env: { WHISPER_GRAPH_CACHE: 'false' } },
      ]),
  // 2026-12-01, second round (always run): transformers.js' tokenizer back, batch 2, glibc malloc settings.
  { name: 'after, but transformers.js tokenizer', env: { WHISPER_TEXT: 'transformers' } },
  { name: 'after, WHISPER_BATCH=2', env: { WHISPER_BATCH: '2' } },
  { name: 'after, glibc MALLOC_ARENA_MAX=2 + 1 MB mmap/trim thresholds', env: MALLOC_ENV },
  { name: 'after, batch 2 + malloc settings', env: { WHISPER_BATCH: '2', ...MALLOC_ENV } },
];
workerRuns.push(...thirdRound);
const transcribeWorkers = [];
execFileSync(process.execPath, [path.join(import.meta.dirname, '../scripts/build-dist.mjs')], { stdio: 'ignore' });
for (const run of workerRuns) transcribeWorkers.push({ name: run.name, ...(await transcribeWorkerRun(run.env ?? {}, run.root, run.compiled)) });
const idle = {
  before: { allRoles: await idleWorker('transcribe,translate,mux', baselineRoot), muxOnly: await idleWorker('mux', baselineRoot) },
  after: { allRoles: await idleWorker('transcribe,translate,mux'), muxOnly: await idleWorker('mux') },
  compiled: { allRoles: await idleWorker('transcribe,translate,mux', undefined, true), muxOnly: await idleWorker('mux', undefined, true) },
};

const before = transcribeWorkers[0]!;
const after = transcribeWorkers[1]!;
const total = (runs: InProcessRun[]) => runs.reduce((sum, run) => sum + run.seconds, 0);
console.log(
  JSON.stringify(
    {
      bench: 'memory-transcribe',
      audioSeconds: round(talk.seconds, 1),
      model: `${MODEL} ${DTYPE}`,
      targets: {
        peakMb: { before: before.peakMb, after: after.peakMb, target: 400, ratio: round(after.peakMb / before.peakMb) },
        compiledPeakMb: { tsx: after.peakMb, compiled: transcribeWorkers[2]!.peakMb, ratio: round(transcribeWorkers[2]!.peakMb / after.peakMb) },
        allRolesIdleMb: { before: idle.before.allRoles.rssMb, after: idle.after.allRoles.rssMb, target: 600 },
        modelLoadFilledCacheSeconds: { value: (loads.defaults as { filledCacheSeconds: number }).filledCacheSeconds, previousSettings: previousLoad.seconds, target: 0.5 },
        speedVsPrevious: round(total(inProcess.previous) / total(inProcess.current)),
        wer: { previous: inProcess.previous[0]!.wer, current: inProcess.current[0]!.wer },
      },
      transcribeWorkers,
      idle,
      inProcess,
      loads: { ...loads, previousSettings: previousLoad },
    },
    null,
    1,
  ),
);
process.exit(0);

type InProcessRun = { seconds: number; wer: number; firstWindowSeconds: number; windows: number };

async function timedLoad(levers: Partial<WhisperRuntimeLevers>) {
  (globalThis as { gc?: () => void }).gc?.();
  const runtime = await loadWhisperRuntime(MODEL, DTYPE, { levers });
  const result = { seconds: round(runtime.load.seconds), cache: `${runtime.load.encoder}/${runtime.load.decoder}` };
  await runtime.dispose();
  return result;
}

/** One transcription on a warm model; the first decoded window is seen through the model's counters. */
async function inProcessRun(levers: Partial<WhisperRuntimeLevers>): Promise<InProcessRun> {
  const model = await getWhisper(MODEL, DTYPE, { levers });
  await model.transcribe({ wavPath: buildShortClip() }, { language: talk.language }); // warm-up
  (globalThis as { gc?: () => void }).gc?.();
  const windowsBefore = model.counters.windows;
  const started = performance.now();
  let firstWindow = 0;
  const watch = setInterval(() => {
    if (!firstWindow && model.counters.windows > windowsBefore) firstWindow = performance.now() - started;
  }, 5);
  const segments = await model.transcribe({ wavPath: talk.wav }, { language: talk.language });
  const seconds = (performance.now() - started) / 1000;
  clearInterval(watch);
  const windows = model.counters.windows - windowsBefore;
  await disposeWhisperModels();
  const text = segments.map((segment) => segment.text).join(' ');
  return { seconds: round(seconds), wer: round(wordErrorRate(talk.reference, text), 3), firstWindowSeconds: round((firstWindow || seconds * 1000) / 1000), windows };
}

/** The talk's first 2 s, for warming a model up. */
function buildShortClip(): string {
  const file = path.join(benchDir(), 'talk-en-first-2s.wav');
  if (!fs.existsSync(file)) execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', talk.wav, '-t', '2', '-ar', String(SAMPLE_RATE), '-ac', '1', file]);
  return file;
}

/** The talk queued, then one transcribe worker started: its start, the job, its memory. */
async function transcribeWorkerRun(env: Record<string, string>, root?: string, compiled?: boolean) {
  const fleet = await startFleet(0, { WORKER_ROLES: 'transcribe', WORKER_CONCURRENCY: '1', MODEL_CACHE_DIR: cacheDir, ...env }, { root, compiled });
  try {
    const jobId = await fleet.submit(talk.wav, { from: talk.language, to: ['es'] });
    const worker = await fleet.addWorker();
    const pid = worker.child.pid!;
    const sampler = sampleTreeRss(pid, 100);
    const firstProgress = watchFirstProgress(fleet, jobId);
    const timeline = await waitForTranscript(fleet.config, jobId, 300_000);
    const { peakMb } = sampler.stop();
    const hwm = statusMb(pid, 'VmHWM');
    const transcript = JSON.parse((await fleet.storage.getBuffer(storageKeys.transcript(jobId))).toString('utf8')) as Transcript;
    const taken = timeline.first.processedOn ?? 0;
    const progressAt = await firstProgress.stop();
    return {
      peakMb: round(Math.max(peakMb, hwm), 0),
      peakTreeSampledMb: round(peakMb, 0),
      workerVmHwmMb: round(hwm, 0),
      startSeconds: round((worker.readyAt - worker.spawnedAt) / 1000),
      startToJobTakenSeconds: round((taken - worker.spawnedAt) / 1000),
      jobToFirstTranscriptProgressSeconds: progressAt ? round((progressAt - taken) / 1000) : undefined,
      jobSeconds: round(((timeline.first.finishedOn ?? 0) - taken) / 1000),
      wer: round(wordErrorRate(talk.reference, transcript.segments.map((segment) => segment.text).join(' ')), 3),
      textHash: textHash(transcript.segments.map((segment) => `${segment.start}|${segment.end}|${segment.text}`).join('\n')),
    };
  } finally {
    await fleet.stop();
  }
}

/**
 * When the job's transcribe stage first reports progress past its 10 % mark (extraction and VAD
 * are the first 10 %; after it, progress follows the decoded timestamps): the first output.
 */
function watchFirstProgress(fleet: Fleet, jobId: string) {
  let at: number | undefined;
  let stopped = false;
  const done = (async () => {
    while (!stopped && at === undefined) {
      const job = await fleet.jobs.get(jobId);
      const transcribe = (job?.stageProgress as Record<string, unknown> | undefined)?.transcribe;
      const percent = typeof transcribe === 'number' ? transcribe : ((transcribe as { percent?: number } | undefined)?.percent ?? 0);
      if (percent > 10) at = Date.now();
      else await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  return {
    async stop() {
      stopped = true;
      await done;
      return at;
    },
  };
}

/** A worker with these roles, started and left idle for 2 s: its tree's RSS, and whether onnxruntime is mapped. */
async function idleWorker(roles: string, root?: string, compiled?: boolean, env: Record<string, string> = {}) {
  const fleet = await startFleet(0, { WORKER_ROLES: roles, WORKER_CONCURRENCY: '1', MODEL_CACHE_DIR: cacheDir, ...env }, { root, compiled });
  try {
    const worker = await fleet.addWorker();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const pid = worker.child.pid!;
    const maps = fs.readFileSync(`/proc/${pid}/maps`, 'utf8');
    return {
      rssMb: round(sampleTreeRss(pid).stop().peakMb, 0),
      processes: processTree(pid).length,
      startSeconds: round((worker.readyAt - worker.spawnedAt) / 1000),
      onnxruntimeLoaded: maps.includes('libonnxruntime'),
    };
  } finally {
    await fleet.stop();
  }
}

function statusMb(pid: number, field: string): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}


/** FNV-1a of a transcript's segments (times and text): equal hashes, equal transcripts. */
function textHash(value: string): string {
  let h = 2166136261;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16);
}
