/**
 * Where a transcription's memory peak sits: one WhisperModel (as the Whisper thread holds it)
 * transcribes the English talk while a separate process samples this process's RSS every 20 ms
 * (onnxruntime runs block this thread, so it cannot sample itself); each encoder and decoder run
 * is timed, so every sample is placed in "load", "encoder", "decoder step 1", "later steps" or
 * "between runs". `tsx --conditions=development bench/memory-timeline.ts [name=levers-json ...]` (a
 * variant's JSON may hold `nodeFlags`, V8 flags for its process).
 * Each variant runs in a fresh child process so their peaks (VmHWM) do not mix. TIMELINE_TRACE=1
 * adds the samples as runs of one phase each (first/lowest/highest/last MB), in order.
 */
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { wordErrorRate } from '@babelfish/core';
import { configureModels, disposeWhisperModels, getWhisper, type WhisperRuntimeLevers } from '@babelfish/ml';
import { benchDir, buildTalk, modelsDir, round } from './lib/fixtures';
import { DTYPE, MODEL } from './lib/transcribers';

const talk = buildTalk(process.env.TIMELINE_TALK ?? 'talk-en');
const child = process.env.TIMELINE_CHILD;

if (child === undefined) {
  const variants = process.argv.slice(2).filter((arg) => arg.includes('='));
  const list = variants.length > 0 ? variants : ['current={}'];
  const results = [];
  for (let round_ = 0; round_ < Number(process.env.TIMELINE_ROUNDS ?? 1); round_++) {
    for (const variant of round_ % 2 === 0 ? list : [...list].reverse()) {
      const [name, levers] = [variant.slice(0, variant.indexOf('=')), variant.slice(variant.indexOf('=') + 1)];
      // `{"nodeFlags": "--max-semi-space-size=1", ...levers}`: V8 flags for that child.
      const { nodeFlags = '', ...rest } = JSON.parse(levers || '{}') as { nodeFlags?: string };
      const out = execFileSync(process.execPath, [...nodeFlags.split(' ').filter(Boolean), ...process.execArgv, import.meta.filename], {
        env: { ...process.env, TIMELINE_CHILD: JSON.stringify(rest) },
        maxBuffer: 64 << 20,
      }).toString();
      results.push({ name, ...JSON.parse(out.slice(out.indexOf('{'))) });
    }
  }
  console.log(JSON.stringify({ bench: 'memory-timeline', talk: talk.name, results }, null, 1));
  process.exit(0);
}

const levers = JSON.parse(child || '{}') as Partial<WhisperRuntimeLevers>;
const samplesFile = path.join(benchDir(), `timeline-${process.pid}.txt`);
const sampler = spawn('sh', ['-c', `while kill -0 ${process.pid} 2>/dev/null; do echo "$(date +%s%3N) $(grep VmRSS /proc/${process.pid}/status | tr -s ' ' | cut -d' ' -f2)"; sleep 0.02; done > ${samplesFile}`], { stdio: 'ignore' });

type Run = { kind: 'vad' | 'encoder' | 'cross-attention' | 'decoder'; step: number; start: number; end: number };
const runs: Run[] = [];
let decoderStep = 0;
type RunFunction = (this: ort.InferenceSession, feeds: ort.InferenceSession.FeedsType, ...rest: unknown[]) => Promise<ort.InferenceSession.ReturnType>;
const sessionPrototype = (ort.InferenceSession as unknown as { prototype: { run: RunFunction } }).prototype;
const originalRun = sessionPrototype.run;
sessionPrototype.run = async function (feeds, ...rest) {
  const kind = 'input_ids' in feeds ? 'decoder' : 'input_features' in feeds ? 'encoder' : 'encoder_hidden_states' in feeds ? 'cross-attention' : 'vad';
  // A first step has an empty self-attention cache (a single-branch decoder has no use_cache_branch).
  const firstStep = (feeds['past_key_values.0.decoder.key'] as ort.Tensor | undefined)?.dims[2] === 0;
  const step = kind === 'decoder' ? (firstStep ? (decoderStep = 1) : ++decoderStep) : 0;
  const start = Date.now();
  const out = await originalRun.call(this, feeds, ...rest);
  runs.push({ kind, step, start, end: Date.now() });
  return out;
};

configureModels({ modelsDir, cacheDir: path.join(benchDir(), 'memory-timeline-model-cache'), allowRemote: false });
const loadStart = Date.now();
const model = await getWhisper(MODEL, DTYPE, { levers });
const loadEnd = Date.now();
const started = performance.now();
const segments = await model.transcribe({ wavPath: talk.wav }, { language: talk.language });
const seconds = (performance.now() - started) / 1000;
const done = Date.now();
await new Promise((resolve) => setTimeout(resolve, 60));
const hwm = Number(/VmHWM:\s+(\d+)/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1] ?? 0) / 1024;
sampler.kill();
const samples = fs
  .readFileSync(samplesFile, 'utf8')
  .trim()
  .split('\n')
  .map((line) => line.split(' ').map(Number) as [number, number])
  .filter(([at, kb]) => at > 0 && kb > 0 && at <= done);
fs.rmSync(samplesFile, { force: true });
const phaseOf = (at: number): string => {
  if (at <= loadEnd) return 'load';
  const run = runs.find((r) => at >= r.start && at <= r.end + 5);
  if (!run) return 'between runs (JavaScript)';
  if (run.kind !== 'decoder') return run.kind;
  return run.step === 1 ? 'decoder step 1' : run.step <= 5 ? 'decoder steps 2–5' : 'decoder later steps';
};
const peakByPhase: Record<string, number> = {};
let peak = { mb: 0, at: 0, phase: '' };
for (const [at, kb] of samples) {
  const phase = phaseOf(at);
  const mb = kb / 1024;
  peakByPhase[phase] = round(Math.max(peakByPhase[phase] ?? 0, mb), 0);
  if (mb > peak.mb) peak = { mb: round(mb, 0), at: round((at - loadStart) / 1000), phase };
}
// TIMELINE_TRACE=1: the samples as runs of one phase each (first, lowest, highest, last MB), in order.
const trace: { phase: string; from: number; mb: [number, number, number, number] }[] = [];
if (process.env.TIMELINE_TRACE) {
  for (const [at, kb] of samples) {
    const phase = phaseOf(at);
    const mb = round(kb / 1024, 0);
    const last = trace[trace.length - 1];
    if (last?.phase === phase) last.mb = [last.mb[0], Math.min(last.mb[1], mb), Math.max(last.mb[2], mb), mb];
    else trace.push({ phase, from: round((at - loadStart) / 1000), mb: [mb, mb, mb, mb] });
  }
}
await disposeWhisperModels();
const text = segments.map((segment) => segment.text).join(' ');
console.log(
  JSON.stringify({
    levers,
    vmHwmMb: round(hwm, 0),
    sampledPeak: peak,
    peakByPhase,
    samples: samples.length,
    seconds: round(seconds),
    loadSeconds: round((loadEnd - loadStart) / 1000),
    encoderRuns: runs.filter((r) => r.kind === 'encoder').length,
    decoderRuns: runs.filter((r) => r.kind === 'decoder').length,
    wer: round(wordErrorRate(talk.reference, text), 3),
    textHash: hash(text),
    ...(process.env.TIMELINE_TRACE ? { trace: trace.map((run) => `${run.from}s ${run.phase} ${run.mb.join('/')}`) } : {}),
  }),
);
process.exit(0);

function hash(value: string): string {
  let h = 2166136261;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 16777619) >>> 0;
  return h.toString(16);
}
