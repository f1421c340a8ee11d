/**
 * The compiled transcribe worker's main thread, this checkout's dist/ vs another tree's dist/
 * (BASE_ROOT: a checkout with its own dist/ built and node_modules linked), alternated: a
 * transcribe-only worker (SQLite, local storage) with and without `--enable-source-maps`, its
 * tree's RSS after 2 s idle (Whisper loaded), then its peak RSS on the English talk.
 * A mux-only worker (no Whisper thread: the main thread alone) idle after 2 s, likewise.
 * `BASE_ROOT=/tmp/base node --import tsx --conditions=development bench/main-thread.ts`
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { buildTalk, benchDir, round, sampleTreeRss } from './lib/fixtures';
import { startFleet, waitForTranscript } from './lib/worker-fleet';

const repoRoot = path.resolve(import.meta.dirname, '..');
const baseRoot = process.env.BASE_ROOT;
if (!baseRoot) throw new Error('BASE_ROOT: a tree with the baseline dist/ built');
const rounds = Number(process.env.ROUNDS ?? 2);
const talk = buildTalk('talk-en');
const cacheDir = path.join(benchDir(), 'main-thread-model-cache');
execFileSync(process.execPath, [path.join(repoRoot, 'scripts/build-dist.mjs')], { cwd: repoRoot, stdio: 'ignore' });

const trees = { before: baseRoot, after: repoRoot };
const rows: Record<string, number[]> = {};
const add = (key: string, value: number) => (rows[key] ??= []).push(round(value, 0));
const wait = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

await transcribe(repoRoot, true); // warm-up: page cache, optimised-graph cache
for (let round_ = 0; round_ < rounds; round_++) {
  const order = round_ % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const);
  for (const maps of [true, false]) {
    for (const which of order) {
      const { idleMb, peakMb } = await transcribe(trees[which], maps);
      add(`${which}${maps ? '' : ', no source maps'}: transcribe idle`, idleMb);
      add(`${which}${maps ? '' : ', no source maps'}: transcribe peak`, peakMb);
      add(`${which}${maps ? '' : ', no source maps'}: mux only idle`, await idle(trees[which], maps));
    }
  }
}
const mean = (values: number[]) => round(values.reduce((a, b) => a + b, 0) / values.length, 0);
console.log(JSON.stringify({ bench: 'main-thread', rounds, rows: Object.fromEntries(Object.entries(rows).map(([key, values]) => [key, { meanMb: mean(values), runs: values }])) }, null, 1));
process.exit(0);

async function transcribe(root: string, sourceMaps: boolean) {
  const fleet = await startFleet(0, { WORKER_ROLES: 'transcribe', WORKER_CONCURRENCY: '1', MODEL_CACHE_DIR: cacheDir }, { root, compiled: true, sourceMaps });
  try {
    const worker = await fleet.addWorker();
    const pid = worker.child.pid!;
    const sampler = sampleTreeRss(pid, 100);
    await wait(2000);
    const idleMb = sampleTreeRss(pid).stop().peakMb;
    const jobId = await fleet.submit(talk.wav, { from: talk.language, to: ['es'] });
    await waitForTranscript(fleet.config, jobId, 300_000);
    const hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;
    return { idleMb, peakMb: Math.max(sampler.stop().peakMb, hwm) };
  } finally {
    await fleet.stop();
  }
}

async function idle(root: string, sourceMaps: boolean) {
  const fleet = await startFleet(0, { WORKER_ROLES: 'mux', WORKER_CONCURRENCY: '1', MODEL_CACHE_DIR: cacheDir }, { root, compiled: true, sourceMaps });
  try {
    const worker = await fleet.addWorker();
    await wait(2000);
    return sampleTreeRss(worker.child.pid!).stop().peakMb;
  } finally {
    await fleet.stop();
  }
}
