import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
import { arch, cpus } from 'node:os';
import { basename, join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { writableDir } from './cache-dir';

/**
 * ONNX sessions whose optimised graph is kept on disk, so that the next start skips
 * onnxruntime's graph optimisation.
 *
 * Creating the Whisper sessions is mostly that optimisation (constant folding, fusing the
 * quantized matmuls): with it off, the decoder loads in a third of the time. The first load
 * writes the optimised graph (SessionOptions.optimizedModelFilePath) next to the download cache;
 * later loads open that file with optimisation off. Same graph, same kernels: the outputs are
 * bit for bit those of the first load (graph-edits.spec.ts, cross-attention-graphs.spec.ts).
 *
 * The cache key covers everything that changes the optimised graph: the source file (path,
 * size, modification time), our edit of it (`variant`), onnxruntime's version, the options that
 * reach the optimiser, and the CPU (onnxruntime's top level may use layouts for this CPU's
 * instruction set, and warns that such a graph belongs to the machine it was made on). Only CPU
 * sessions are cached: a CUDA graph's node placement is the provider's business.
 */

export type GraphSource = {
  file: string;
  /** Names the edit below; part of the cache key. */
  variant: string;
  /** Edits the model bytes before the first optimisation (undefined: the file as it is). */
  edit?: (model: Uint8Array) => Uint8Array;
};

export type CachedSessionResult = { session: ort.InferenceSession; cache: 'hit' | 'written' | 'off' };

const ORT_VERSION = ort.env.versions.node ?? ort.env.versions.common;

/**
 * `cacheDir` undefined (or not writable) turns the cache off: the graph is optimised in memory
 * on every load, as onnxruntime does by default.
 */
export async function createCachedSession(source: GraphSource, options: ort.InferenceSession.SessionOptions, cacheDir: string | undefined): Promise<CachedSessionResult> {
  const dir = cacheDir ? writableDir(join(cacheDir, 'optimized-graphs')) : undefined;
  if (!dir) return { session: await createFromSource(source, options), cache: 'off' };
  const cached = join(dir, `${basename(source.file, '.onnx')}-${cacheKey(source, options)}.onnx`);
  if (existsSync(cached)) {
    try {
      return { session: await ort.InferenceSession.create(cached, { ...options, graphOptimizationLevel: 'disabled' }), cache: 'hit' };
    } catch {
      rmSync(cached, { force: true }); // a truncated or foreign file: made again below
    }
  }
  // Written under a temporary name and renamed once complete, so a crash or a second worker
  // starting at the same moment never leaves a half-written graph under the final name.
  const partial = `${cached}.${process.pid}.${Date.now()}.partial`;
  try {
    // Severity 3: onnxruntime warns that a graph optimised at its top level belongs to this
    // machine, which is why the CPU is part of the key.
    const session = await createFromSource(source, { ...options, optimizedModelFilePath: partial, logSeverityLevel: 3 });
    if (existsSync(partial)) renameSync(partial, cached);
    return { session, cache: 'written' };
  } finally {
    rmSync(partial, { force: true });
  }
}

/** The key for a source and options (exported for tests). */
export function cacheKey(source: GraphSource, options: ort.InferenceSession.SessionOptions): string {
  const stat = statSync(source.file);
  const optimiser = {
    level: options.graphOptimizationLevel ?? 'all',
    providers: options.executionProviders ?? ['cpu'],
    extra: options.extra ?? {},
  };
  const parts = [source.file, stat.size, stat.mtimeMs, source.variant, ORT_VERSION, JSON.stringify(optimiser), arch(), cpus()[0]?.model ?? ''];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

async function createFromSource(source: GraphSource, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  if (!source.edit) return ort.InferenceSession.create(source.file, options);
  return ort.InferenceSession.create(source.edit(readFileSync(source.file)), options);
}
