import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as ort from 'onnxruntime-node';
import { modelSettings } from './model-env';

/**
 * The Whisper encoder as a session of our own, without onnxruntime's CPU memory arena.
 *
 * Why: the arena keeps the largest intermediate buffers it ever allocated, and the encoder's
 * (eight 1500 × 1500 attention maps per layer) made it grow by ~700 MB that stays resident,
 * pushing a worker past 2 GB on long videos. Without the arena the encoder allocates and frees
 * per run (+120 MB while it runs) at the cost of ~0.15 s per 30 s window; the decoder, which
 * makes many small allocations per token, keeps the arena (without it decoding was 2× slower).
 * transformers.js applies one set of session options to every file, hence this session.
 */

/** File-name suffixes per dtype, as transformers.js names its ONNX exports. */
const suffixes: Record<string, string> = { fp32: '', fp16: '_fp16', int8: '_int8', uint8: '_uint8', q8: '_quantized', q4: '_q4', q4f16: '_q4f16', bnb4: '_bnb4' };

/** The encoder file in the models folder or the download cache (same layout), if there. */
export function findEncoderFile(modelId: string, dtype: string): string | undefined {
  const suffix = suffixes[dtype];
  if (suffix === undefined) return undefined;
  const settings = modelSettings();
  return [settings.modelsDir, settings.cacheDir]
    .filter(Boolean)
    .map((dir) => join(dir, modelId, 'onnx', `encoder_model${suffix}.onnx`))
    .find((file) => existsSync(file));
}

export function createLeanEncoder(file: string, threads: number): Promise<ort.InferenceSession> {
  return ort.InferenceSession.create(file, {
    ...(threads > 0 ? { intraOpNumThreads: threads } : {}),
    interOpNumThreads: 1,
    enableCpuMemArena: false,
  });
}
