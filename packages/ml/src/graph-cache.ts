import { createHash } from 'node:crypto';
import { existsSync, linkSync, readdirSync, readFileSync, renameSync, rmSync, statSync } from 'node:fs';
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
 *
 * The weights are written beside the graph, in `<graph>.<writer>.data` (onnxruntime's external
 * initializers), and onnxruntime memory-maps that file when it opens the graph. A weight that a
 * kernel pre-packs is read once and let go, as before; one that is read as it is stays a view of
 * the file, resident only where it is read: the decoder's token embedding (26 MB for
 * whisper-base) is one 512-byte row per token, so only the rows of the tokens a job decodes are
 * ever in memory. Opened from one file, onnxruntime held a private copy of all of it (−45 MB for
 * the decoder, −11 MB for the encoder at load: bench/README.md). A graph just written is opened
 * again from the cache, so the first start holds what every later one does.
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
export async function createCachedSession(
  source: GraphSource,
  options: ort.InferenceSession.SessionOptions,
  cacheDir: string | undefined,
  weights: GraphWeights = 'mapped',
): Promise<CachedSessionResult> {
  const dir = cacheDir ? writableDir(join(cacheDir, 'optimized-graphs')) : undefined;
  if (!dir) return { session: await createFromSource(source, options), cache: 'off' };
  const cached = join(dir, `${basename(source.file, '.onnx')}-${cacheKey(source, options, weights)}.onnx`);
  const openCached = () => ort.InferenceSession.create(cached, { ...options, graphOptimizationLevel: 'disabled' });
  if (existsSync(cached)) {
    try {
      return { session: await openCached(), cache: 'hit' };
    } catch {
      // A truncated or foreign file (or its weights gone): made again below.
      rmSync(cached, { force: true });
    }
  }
  removeLeftovers(dir, basename(cached));
  return { session: await writeGraph(source, options, dir, cached, weights, openCached), cache: 'written' };
}

/**
 * Optimises the source and writes the graph to `cached`, then opens it from there. A graph that
 * onnxruntime cannot read back with its weights beside it (it writes subgraphs' folded constants
 * of the merged decoder's If under one name twice) is written again with its weights inline.
 */
async function writeGraph(
  source: GraphSource,
  options: ort.InferenceSession.SessionOptions,
  dir: string,
  cached: string,
  weights: GraphWeights,
  openCached: () => Promise<ort.InferenceSession>,
): Promise<ort.InferenceSession> {
  // Written under a temporary name and published once complete, so a crash or a second worker
  // starting at the same moment never leaves a half-written graph under the final name.
  // The weights' file is named after this writer too, and never renamed: the graph names it.
  const writer = `${process.pid}.${Date.now()}.${++writes}`;
  const partial = `${cached}.${writer}.partial`;
  const weightsFile = join(dir, `${basename(cached)}.${writer}.data`);
  const external = weights === 'mapped' ? { optimized_model_external_initializers_file_name: basename(weightsFile), optimized_model_external_initializers_min_size_in_bytes: String(EXTERNAL_MIN_BYTES) } : {};
  let published = false;
  try {
    // Severity 3: onnxruntime warns that a graph optimised at its top level belongs to this
    // machine, which is why the CPU is part of the key.
    const session = await createFromSource(source, {
      ...options,
      optimizedModelFilePath: partial,
      logSeverityLevel: 3,
      extra: { ...options.extra, session: { ...sessionExtra(options), ...external } },
    });
    if (!existsSync(partial)) return session;
    // Workers that start together on one cache volume all write the same graph: the first to
    // publish wins, and the others use its graph and delete their own weights (published over
    // it, the first graph's weights file would be left behind with nothing naming it).
    published = publishOnce(partial, cached);
    await session.release();
  } finally {
    rmSync(partial, { force: true });
    if (!published) rmSync(weightsFile, { force: true });
  }
  try {
    return await openCached();
  } catch (error) {
    rmSync(cached, { force: true });
    rmSync(weightsFile, { force: true });
    if (weights === 'inline') throw error;
    return writeGraph(source, options, dir, cached, 'inline', openCached);
  }
}

let writes = 0;

/**
 * Puts the finished graph under its final name unless another writer already has (false). A hard
 * link fails rather than replace; a file system without hard links gets a rename, last one wins.
 */
function publishOnce(partial: string, cached: string): boolean {
  try {
    linkSync(partial, cached);
    return true;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') return false;
    if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EOPNOTSUPP' && code !== 'EXDEV') throw error;
    renameSync(partial, cached);
    return true;
  }
}

/**
 * `mapped`: the weights in a file beside the graph, memory-mapped (above); `inline`: inside the
 * graph file, copied into onnxruntime's memory when it is opened (up to 2026-12-01).
 */
export type GraphWeights = 'mapped' | 'inline';

/** Weights smaller than this stay inside the graph file (biases, norms, shapes). */
const EXTERNAL_MIN_BYTES = 4096;

function sessionExtra(options: ort.InferenceSession.SessionOptions): Record<string, unknown> {
  const extra = options.extra as { session?: Record<string, unknown> } | undefined;
  return extra?.session ?? {};
}

/**
 * What earlier writers of a graph that is (about to be) written again left behind: a damaged
 * graph's weights, and the partial graph and weights of a writer that died half-way. Only files
 * older than any write takes, so that another worker writing the same graph right now keeps its own.
 */
function removeLeftovers(dir: string, graphName: string): void {
  for (const name of readdirSync(dir)) {
    if (!name.startsWith(`${graphName}.`) || !(name.endsWith('.data') || name.endsWith('.partial'))) continue;
    const file = join(dir, name);
    const stat = statSync(file, { throwIfNoEntry: false });
    if (stat && Date.now() - stat.mtimeMs > LEFTOVER_AGE_MS) rmSync(file, { force: true });
  }
}

/** Longer than writing the largest graph takes on a slow machine (whisper-base: seconds). */
const LEFTOVER_AGE_MS = 10 * 60_000;

/** The key for a source and options (exported for tests). */
export function cacheKey(source: GraphSource, options: ort.InferenceSession.SessionOptions, weights: GraphWeights = 'mapped'): string {
  const stat = statSync(source.file);
  const optimiser = {
    level: options.graphOptimizationLevel ?? 'all',
    providers: options.executionProviders ?? ['cpu'],
    extra: options.extra ?? {},
  };
  // The layout of the cached files (a graph and its weights file, or one file) is part of the key.
  const parts = [source.file, stat.size, stat.mtimeMs, source.variant, ORT_VERSION, JSON.stringify(optimiser), arch(), cpus()[0]?.model ?? '', ...(weights === 'mapped' ? ['external-weights'] : [])];
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 16);
}

async function createFromSource(source: GraphSource, options: ort.InferenceSession.SessionOptions): Promise<ort.InferenceSession> {
  if (!source.edit) return ort.InferenceSession.create(source.file, options);
  return ort.InferenceSession.create(source.edit(readFileSync(source.file)), options);
}
