/**
 * The compiled runtime (dist/, scripts/build-dist.mjs, plain node as the images run it) vs the
 * sources through tsx (`node --import tsx`, as the images ran before), alternated in one run:
 *   - a transcribe worker on the English talk (84.5 s): the peak RSS of its process tree (sampled
 *     every 100 ms, and the node process's VmHWM), its start (process start → "worker started")
 *     and the job's time and word error rate;
 *   - an idle worker with every role, and an idle mux-only worker: the tree's RSS after 2 s;
 *   - the API (SQLite, Redis): start (process start → "api listening") and idle RSS after 2 s.
 * `tsx --conditions=development bench/runtime-compiled.ts [--quick]`
 */
import { execFileSync, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { wordErrorRate, type Transcript } from '@babelfish/core';
import { storageKeys } from '@babelfish/storage';
import { benchDir, buildTalk, modelsDir, processTree, round, sampleTreeRss } from './lib/fixtures';
import { startFleet, waitForTranscript } from './lib/worker-fleet';

const repoRoot = path.resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const rounds = quick ? 1 : 2;
const talk = buildTalk('talk-en');
const cacheDir = path.join(benchDir(), 'runtime-compiled-model-cache');
execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-dist.mjs')], { cwd: repoRoot, stdio: 'ignore' });

type Runtime = 'tsx' | 'compiled';
const order = (round_: number): Runtime[] => (round_ % 2 === 0 ? ['tsx', 'compiled'] : ['compiled', 'tsx']);
const results = {
  transcribeWorker: { tsx: [] as unknown[], compiled: [] as unknown[] },
  idleAllRoles: { tsx: [] as unknown[], compiled: [] as unknown[] },
  idleMuxOnly: { tsx: [] as unknown[], compiled: [] as unknown[] },
  api: { tsx: [] as unknown[], compiled: [] as unknown[] },
};
// Warm-up (page cache, the optimised-graph cache): one compiled transcribe worker, not counted.
await transcribeWorker('compiled');
for (let round_ = 0; round_ < rounds; round_++) {
  for (const runtime of order(round_)) results.transcribeWorker[runtime].push(await transcribeWorker(runtime));
  for (const runtime of order(round_)) results.idleAllRoles[runtime].push(await idleWorker(runtime, 'transcribe,translate,mux'));
  for (const runtime of order(round_)) results.idleMuxOnly[runtime].push(await idleWorker(runtime, 'mux'));
  for (const runtime of order(round_)) results.api[runtime].push(await idleApi(runtime));
}

const mean = (runs: unknown[], key: string) => round(runs.reduce<number>((sum, run) => sum + ((run as Record<string, number>)[key] ?? 0), 0) / runs.length, 2);
const compare = (group: { tsx: unknown[]; compiled: unknown[] }, key: string) => {
  const tsx = mean(group.tsx, key);
  const compiled = mean(group.compiled, key);
  return { tsx, compiled, ratio: round(compiled / tsx) };
};
console.log(
  JSON.stringify(
    {
      bench: 'runtime-compiled',
      audioSeconds: round(talk.seconds, 1),
      rounds,
      summary: {
        transcribePeakMb: compare(results.transcribeWorker, 'peakMb'),
        transcribeWorkerStartSeconds: compare(results.transcribeWorker, 'startSeconds'),
        transcribeJobSeconds: compare(results.transcribeWorker, 'jobSeconds'),
        transcribeIdleBeforeJobMb: compare(results.transcribeWorker, 'idleMb'),
        idleAllRolesMb: compare(results.idleAllRoles, 'rssMb'),
        idleMuxOnlyMb: compare(results.idleMuxOnly, 'rssMb'),
        apiIdleMb: compare(results.api, 'rssMb'),
        apiStartSeconds: compare(results.api, 'startSeconds'),
      },
      runs: results,
    },
    null,
    1,
  ),
);
process.exit(0);

/** One transcribe worker started idle (its RSS after 2 s), then given the talk. */
async function transcribeWorker(runtime: Runtime) {
  const fleet = await startFleet(0, { WORKER_ROLES: 'transcribe', WORKER_CONCURRENCY: '1', MODEL_CACHE_DIR: cacheDir }, { compiled: runtime === 'compiled' });
  try {
    const worker = await fleet.addWorker();
    const pid = worker.child.pid!;
    const sampler = sampleTreeRss(pid, 100);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const idleMb = treeMb(pid);
    const jobId = await fleet.submit(talk.wav, { from: talk.language, to: ['es'] });
    const timeline = await waitForTranscript(fleet.config, jobId, 300_000);
    const { peakMb } = sampler.stop();
    const hwm = statusMb(pid, 'VmHWM');
    const transcript = JSON.parse((await fleet.storage.getBuffer(storageKeys.transcript(jobId))).toString('utf8')) as Transcript;
    const taken = timeline.first.processedOn ?? 0;
    return {
      peakMb: round(Math.max(peakMb, hwm), 0),
      workerVmHwmMb: round(hwm, 0),
      idleMb: round(idleMb, 0),
      processes: processTree(pid).length,
      startSeconds: round((worker.readyAt - worker.spawnedAt) / 1000),
      jobSeconds: round(((timeline.first.finishedOn ?? 0) - taken) / 1000),
      wer: round(wordErrorRate(talk.reference, transcript.segments.map((segment) => segment.text).join(' ')), 3),
    };
  } finally {
    await fleet.stop();
  }
}

async function idleWorker(runtime: Runtime, roles: string) {
  const fleet = await startFleet(0, { WORKER_ROLES: roles, WORKER_CONCURRENCY: '1', MODEL_CACHE_DIR: cacheDir }, { compiled: runtime === 'compiled' });
  try {
    const worker = await fleet.addWorker();
    await new Promise((resolve) => setTimeout(resolve, 2000));
    const pid = worker.child.pid!;
    return { rssMb: round(treeMb(pid), 0), processes: processTree(pid).length, startSeconds: round((worker.readyAt - worker.spawnedAt) / 1000) };
  } finally {
    await fleet.stop();
  }
}

/** The API on a fresh SQLite: process start → "api listening", then its tree's RSS after 2 s idle. */
async function idleApi(runtime: Runtime) {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'babelfish-bench-api-'));
  const args = runtime === 'compiled' ? ['--enable-source-maps', 'dist/api.js'] : ['--import', 'tsx', '--conditions=development', 'apps/api/src/main.ts'];
  const spawnedAt = Date.now();
  const child = spawn(process.execPath, args, {
    cwd: repoRoot,
    env: {
      ...process.env,
      NODE_ENV: 'production',
      DATA_DIR: dataDir,
      REDIS_URL: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
      QUEUE_PREFIX: `bench-${randomUUID()}`,
      MODELS_DIR: modelsDir,
      ALLOW_REMOTE_MODELS: 'false',
      AUTH_MODE: 'none',
      ENGINE_CATALOGUE: 'local',
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  try {
    let output = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`api did not start:\n${output}`)), 60_000);
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('"message":"api listening"')) {
          clearTimeout(timer);
          resolve();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.once('exit', (code) => reject(new Error(`api exited with ${code}:\n${output}`)));
    });
    const startSeconds = round((Date.now() - spawnedAt) / 1000);
    await new Promise((resolve) => setTimeout(resolve, 2000));
    return { rssMb: round(treeMb(child.pid!), 0), processes: processTree(child.pid!).length, startSeconds };
  } finally {
    child.kill('SIGKILL');
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

function treeMb(pid: number): number {
  return sampleTreeRss(pid).stop().peakMb;
}

function statusMb(pid: number, field: string): number {
  try {
    return Number(new RegExp(`${field}:\\s+(\\d+)`).exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}
