import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { executionProviders, type ExecutionDevice } from './inference-device';
import { modelSettings } from './model-env';
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

/** File-name suffixes per dtype, as transformers.js names its ONNX exports. */
const suffixes: Record<string, string> = { fp32: '', fp16: '_fp16', int8: '_int8', uint8: '_uint8', q8: '_quantized', q4: '_q4', q4f16: '_q4f16', bnb4: '_bnb4' };

/** `_quantized` for q8 and so on; undefined for a dtype transformers.js has no file name for. */
export function onnxSuffix(dtype: string): string | undefined {
  return suffixes[dtype];
}

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

async function openEncoder(file: string, threads: number, device: ExecutionDevice): Promise<ort.InferenceSession> {
  const model = keepGraphOutputs(await readFile(file), new Set(['last_hidden_state']));
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
