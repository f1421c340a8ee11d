import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * Test recordings for the benchmarks, built from ../shared/samples (never committed): the
 * samples joined with pauses of a few seconds, as in a real talk, over a faint noise floor
 * (-50 dBFS) so that "silence" is not digital zero and only a real voice detector skips it.
 * The reference text is the samples' transcripts in the same order (for word error rate).
 */

export const sharedDir = path.resolve(process.env.SHARED_DIR ?? path.join(import.meta.dirname, '../../../shared'));
export const modelsDir = path.join(sharedDir, 'models');
export const samplePath = (name: string) => path.join(sharedDir, 'samples', name);
export const SAMPLE_RATE = 16_000;

export type Talk = { name: string; language: string; wav: string; seconds: number; reference: string };

type Part = { sample: string; pauseAfter: number };

/** Spanish: Everest three times (113 s of speech) with 3–8 s pauses; English: JFK six times with 1.5–6 s pauses. */
export const talkPlans: Record<string, { language: string; parts: Part[] }> = {
  'talk-es': {
    language: 'es',
    parts: [
      { sample: 'es_everest.mp3', pauseAfter: 3 },
      { sample: 'es_everest.mp3', pauseAfter: 8 },
      { sample: 'es_everest.mp3', pauseAfter: 2 },
    ],
  },
  'talk-en': {
    language: 'en',
    parts: [2, 4, 1.5, 6, 3, 2].map((pauseAfter) => ({ sample: 'jfk.wav', pauseAfter })),
  },
};

export function benchDir(): string {
  const dir = path.join(os.tmpdir(), 'babelfish-bench');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export function decodeF32(file: string): Float32Array {
  const pcm = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-ac', '1', '-ar', String(SAMPLE_RATE), '-f', 'f32le', '-'], { maxBuffer: 1 << 30 });
  return new Float32Array(pcm.buffer.slice(pcm.byteOffset, pcm.byteOffset + pcm.length));
}

/** Writes 16 kHz mono 16-bit PCM WAV (what the pipeline extracts) from float samples. */
export function writeWav(file: string, samples: Float32Array): void {
  const data = Buffer.alloc(samples.length * 2);
  for (let i = 0; i < samples.length; i++) data.writeInt16LE(Math.max(-32768, Math.min(32767, Math.round(samples[i]! * 32768))), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0, 'ascii');
  header.writeUInt32LE(36 + data.length, 4);
  header.write('WAVEfmt ', 8, 'ascii');
  header.writeUInt32LE(16, 16);
  header.writeUInt16LE(1, 20);
  header.writeUInt16LE(1, 22);
  header.writeUInt32LE(SAMPLE_RATE, 24);
  header.writeUInt32LE(SAMPLE_RATE * 2, 28);
  header.writeUInt16LE(2, 32);
  header.writeUInt16LE(16, 34);
  header.write('data', 36, 'ascii');
  header.writeUInt32LE(data.length, 40);
  fs.writeFileSync(file, Buffer.concat([header, data]));
}

/** Builds (once) the named talk: samples, pauses and the noise floor. */
export function buildTalk(name: keyof typeof talkPlans | string, repeat = 1): Talk {
  const plan = talkPlans[name];
  if (!plan) throw new Error(`unknown talk ${name}`);
  const parts = Array.from({ length: repeat }, () => plan.parts).flat();
  const wav = path.join(benchDir(), `${name}${repeat > 1 ? `-x${repeat}` : ''}.wav`);
  const reference = parts.map((part) => fs.readFileSync(samplePath(part.sample.replace(/\.\w+$/, '.txt')), 'utf8').trim()).join(' ');
  if (!fs.existsSync(wav)) {
    const decoded = new Map<string, Float32Array>();
    const pieces = parts.map((part) => {
      if (!decoded.has(part.sample)) decoded.set(part.sample, decodeF32(samplePath(part.sample)));
      return { audio: decoded.get(part.sample)!, pause: Math.round(part.pauseAfter * SAMPLE_RATE) };
    });
    const total = pieces.reduce((sum, piece) => sum + piece.audio.length + piece.pause, 0);
    const samples = new Float32Array(total);
    let at = 0;
    for (const piece of pieces) {
      samples.set(piece.audio, at);
      at += piece.audio.length + piece.pause;
    }
    // Deterministic noise floor at about -50 dBFS.
    let seed = 12345;
    for (let i = 0; i < samples.length; i++) {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      samples[i]! += (seed / 2 ** 31 - 0.5) * 0.006;
    }
    writeWav(wav, samples);
  }
  const bytes = fs.statSync(wav).size - 44;
  return { name, language: plan.language, wav, seconds: bytes / 2 / SAMPLE_RATE, reference };
}

/** Everything in the process tree rooted at `pid` (the worker, its tsx child, ffmpeg children). */
export function processTree(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      children.set(parent, [...(children.get(parent) ?? []), Number(entry)]);
    } catch {
      // the process ended while we looked
    }
  }
  const tree = [pid];
  for (let i = 0; i < tree.length; i++) tree.push(...(children.get(tree[i]!) ?? []));
  return tree;
}

/** Resident set size in MB of one process (its threads included), 0 once it is gone. */
export function rssMb(pid: number): number {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

/** Samples the summed RSS of a process tree every `everyMs`; stop() returns the peak and the samples. */
export function sampleTreeRss(pid: number, everyMs = 200) {
  const samples: { at: number; mb: number }[] = [];
  const started = Date.now();
  const tick = () => samples.push({ at: Date.now() - started, mb: processTree(pid).reduce((sum, id) => sum + rssMb(id), 0) });
  tick();
  const timer = setInterval(tick, everyMs);
  return {
    samples,
    stop() {
      clearInterval(timer);
      tick();
      return { peakMb: Math.max(...samples.map((sample) => sample.mb)), samples };
    },
  };
}

export const round = (value: number, digits = 2) => Math.round(value * 10 ** digits) / 10 ** digits;
