/**
 * Whisper model load (`loadWhisperRuntime`, whisper-base q8) on a warm page cache with the
 * optimised-graph cache filled: before (BASELINE_REF, run from a `git archive` of it with
 * today's node_modules) and after (this checkout), each load in a fresh process
 * (bench/lib/model-load-child.ts), alternated, with each session's creation timed apart and the
 * RSS idle after the load and after one transcription of jfk.wav (whose text must be the same).
 * `SHARED_DIR=/work/shared node --import tsx --conditions=development bench/model-load.ts [--rounds N] [--quick]`
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { baselineTree } from './lib/baseline-tree';
import { benchDir, round } from './lib/fixtures';

/** The last commit before the load changes (ORT-format graph cache, tokenizer) of 2026-12-01. */
const BASELINE_REF = '8623098';
const args = process.argv.slice(2);
const rounds = Number(args[args.indexOf('--rounds') + 1]) || (args.includes('--quick') ? 3 : 6);
const repoRoot = path.resolve(import.meta.dirname, '..');
const trees = { before: baselineTree(BASELINE_REF), after: repoRoot };
const cacheDirs = { before: path.join(benchDir(), 'model-load-cache-before'), after: path.join(benchDir(), 'model-load-cache-after') };

type Load = {
  seconds: number;
  cpuSeconds: number;
  cache: string;
  sessionsSeconds: number;
  restSeconds: number;
  creates: { what: string; seconds: number; cpuSeconds: number }[];
  memory: Record<'beforeLoad' | 'idle' | 'afterTranscription', { rssMb: number; anonMb: number; fileMb: number; hwmMb: number }>;
  textHash: string;
};

function load(which: keyof typeof trees): Load {
  const output = execFileSync(process.execPath, ['--expose-gc', '--import', 'tsx', '--conditions=development', path.join(import.meta.dirname, 'lib/model-load-child.ts'), trees[which], cacheDirs[which]], {
    cwd: repoRoot,
    env: process.env,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(output.slice(output.indexOf('{'))) as Load;
}

// The first load of each writes its optimised graphs (page cache warm, graph cache empty).
const emptyCache: Record<string, number> = {};
for (const which of ['before', 'after'] as const) {
  fs.rmSync(cacheDirs[which], { recursive: true, force: true });
  emptyCache[which] = load(which).seconds;
}
const runs: Record<'before' | 'after', Load[]> = { before: [], after: [] };
for (let i = 0; i < rounds; i++) {
  for (const which of i % 2 === 0 ? (['before', 'after'] as const) : (['after', 'before'] as const)) runs[which].push(load(which));
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};
const summary = (loads: Load[]) => ({
  seconds: loads.map((entry) => entry.seconds),
  medianSeconds: round(median(loads.map((entry) => entry.seconds)), 3),
  // CPU time of the load (every thread): what another process's work on the cores moves least.
  cpuSeconds: loads.map((entry) => entry.cpuSeconds),
  medianCpuSeconds: round(median(loads.map((entry) => entry.cpuSeconds)), 3),
  medianSessionsSeconds: round(median(loads.map((entry) => entry.sessionsSeconds)), 3),
  medianRestSeconds: round(median(loads.map((entry) => entry.restSeconds)), 3),
  // Per session, the median over the runs (the creates are in the runtime's order).
  medianCreates: loads[0]!.creates.map((entry, i) => ({
    what: entry.what,
    seconds: round(median(loads.map((load) => load.creates[i]?.seconds ?? 0)), 3),
    cpuSeconds: round(median(loads.map((load) => load.creates[i]?.cpuSeconds ?? 0)), 3),
  })),
  cache: [...new Set(loads.map((entry) => entry.cache))],
  idleRssMb: loads.map((entry) => entry.memory.idle.rssMb),
  medianIdle: medianMemory(loads.map((entry) => entry.memory.idle)),
  medianAfterTranscription: medianMemory(loads.map((entry) => entry.memory.afterTranscription)),
  medianBeforeLoadRssMb: median(loads.map((entry) => entry.memory.beforeLoad.rssMb)),
  textHashes: [...new Set(loads.map((entry) => entry.textHash))],
});
function medianMemory(values: Load['memory']['idle'][]) {
  return { rssMb: median(values.map((v) => v.rssMb)), anonMb: median(values.map((v) => v.anonMb)), fileMb: median(values.map((v) => v.fileMb)), hwmMb: median(values.map((v) => v.hwmMb)) };
}
const before = summary(runs.before);
const after = summary(runs.after);
console.log(
  JSON.stringify(
    {
      bench: 'model-load',
      baseline: BASELINE_REF,
      rounds,
      target: 0.5,
      medianSeconds: { before: before.medianSeconds, after: after.medianSeconds, ratio: round(after.medianSeconds / before.medianSeconds) },
      medianCpuSeconds: { before: before.medianCpuSeconds, after: after.medianCpuSeconds, ratio: round(after.medianCpuSeconds / before.medianCpuSeconds) },
      idleRssMb: { before: before.medianIdle.rssMb, after: after.medianIdle.rssMb },
      afterTranscriptionRssMb: { before: before.medianAfterTranscription.rssMb, after: after.medianAfterTranscription.rssMb },
      peakRssMb: { before: before.medianAfterTranscription.hwmMb, after: after.medianAfterTranscription.hwmMb },
      sameText: before.textHashes.length === 1 && before.textHashes[0] === after.textHashes[0] && after.textHashes.length === 1,
      emptyCacheSeconds: emptyCache,
      before,
      after,
    },
    null,
    1,
  ),
);
