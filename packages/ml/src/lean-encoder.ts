import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { executionProviders, type ExecutionDevice } from './inference-device';
import { modelSettings } from './model-env';
import { chunkEncoderAttention } from './encoder-attention';
import type { GraphSource } from './graph-cache';
import { onnxSuffix } from './model-files';
import { keepGraphOutputs } from './onnx-outputs';

/**
 * The Whisper encoder as a session of our own: its graph returns the hidden state only, and it
 * runs without onnxruntime's CPU memory arena.
 *
 * Why: the transformers.js export also returns the six encoder attention maps (430 MB of floats
 * per window). Merely declared as graph outputs, they are kept alive to the end of every run,
 * and the arena — which keeps the largest buffers it has ever held — grew by ~760 MB for them
 * and stayed there, pushing a worker past 2 GB. Measured on 378 s of speech (bench/README.md):
 * stock encoder 1.92 GB peak; outputs dropped 1.55 GB and 5% faster; outputs dropped and no
 * arena 1.22 GB, 7% slower than with it — the margin we keep under the 2 GB budget. The decoder,
 * which makes many small allocations per token, keeps its arena (without it, 2× slower).
 * transformers.js loads every file with the same options and bytes, hence this session (the
 * pipeline's own encoder session is released).
 */

/** The encoder file in the models folder or the download cache (same layout), if there. */
export function findEncoderFile(modelId: string, dtype: string): string | undefined {
  const suffix = onnxSuffix(dtype);
  if (suffix === undefined) return undefined;
  const settings = modelSettings();
  return [settings.modelsDir, settings.cacheDir]
    .filter(Boolean)
    .map((dir) => join(dir, modelId, 'onnx', `encoder_model${suffix}.onnx`))
    .find((file) => existsSync(file));
}

/**
 * `fp16File`, tried first when given (on CUDA, where half-precision matmuls run on tensor cores
 * and the encoder is most of the work), is used only when it kept float32 inputs and outputs
 * (the usual export with keep_io_types): the decoder, in the configured dtype, reads the hidden
 * state as float32. Otherwise `file` is used.
 */
export async function createLeanEncoder(file: string, threads: number, device: ExecutionDevice = 'cpu', fp16File?: string): Promise<ort.InferenceSession> {
  if (fp16File) {
    const session = await openEncoder(fp16File, threads, device);
    if (hasFloat32Io(session)) return session;
    await session.release();
  }
  return openEncoder(file, threads, device);
}

/**
 * The encoder file with its graph outputs cut to the hidden state and, with `attentionChunks`
 * above 1, its self-attention computed that many slices of queries at a time
 * (encoder-attention.ts: same numbers, a third of the memory peak), for the optimised-graph cache.
 */
export function leanEncoderSource(file: string, attentionChunks = 1): GraphSource {
  if (attentionChunks <= 1) return { file, variant: 'hidden-state-only', edit: leanGraph };
  return {
    file,
    variant: `hidden-state-only+attention-chunks-${attentionChunks}`,
    edit: (model) => {
      const lean = leanGraph(model);
      return chunkEncoderAttention(lean, attentionChunks) ?? lean;
    },
  };
}

const leanGraph = (model: Uint8Array) => keepGraphOutputs(model, new Set(['last_hidden_state']));

async function openEncoder(file: string, threads: number, device: ExecutionDevice): Promise<ort.InferenceSession> {
  const model = leanGraph(await readFile(file));
  return ort.InferenceSession.create(model, {
    executionProviders: executionProviders(device),
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    interOpNumThreads: 1,
    enableCpuMemArena: false,
  });
}

function hasFloat32Io(session: ort.InferenceSession): boolean {
  const io = [...session.inputMetadata, ...session.outputMetadata];
  return io.every((value) => !value.isTensor || value.type === 'float32');
}
