import { AppError } from '@babelfish/core';

/**
 * Which onnxruntime execution provider the models run on. `auto` tries CUDA and falls back to
 * the CPU when its provider does not initialise (no GPU, no driver, the CUDA EP libraries not
 * installed); `cuda` makes that a start-up error instead, so a GPU service that lost its GPU
 * fails loudly rather than running 10–50× slower on the CPU; `cpu` never tries.
 */
export type InferenceDevice = 'auto' | 'cpu' | 'cuda';
export type ExecutionDevice = 'cpu' | 'cuda';

/** The model families with a device setting of their own (INFERENCE_DEVICE_TRANSCRIBE / _TRANSLATE). */
export type InferenceRole = 'transcribe' | 'translate';
export type InferenceDevices = Record<InferenceRole, ExecutionDevice>;

export type CudaProbe = { available: true } | { available: false; reason: string };
export type DeviceChoice = { role: InferenceRole; requested: InferenceDevice; device: ExecutionDevice; reason: string };

/** The decision, given what the CUDA probe found (undefined: not probed, only allowed for `cpu`). */
export function chooseDevice(role: InferenceRole, requested: InferenceDevice, cuda: CudaProbe | undefined): DeviceChoice {
  if (requested === 'cpu') return { role, requested, device: 'cpu', reason: 'configured' };
  if (!cuda) throw new AppError('INTERNAL', `chooseDevice(${requested}) needs the CUDA probe's result`);
  if (cuda.available) return { role, requested, device: 'cuda', reason: 'CUDA execution provider initialised' };
  if (requested === 'auto') return { role, requested, device: 'cpu', reason: `CUDA unavailable, falling back to the CPU: ${cuda.reason}` };
  throw new AppError(
    'INVALID_CONFIG',
    `INFERENCE_DEVICE_${role.toUpperCase()} (or INFERENCE_DEVICE) is cuda, but onnxruntime's CUDA execution provider did not initialise: ${cuda.reason}. ` +
      'Run the GPU worker image (docker/worker-gpu.Dockerfile) on a host with an NVIDIA GPU, or set auto to fall back to the CPU.',
    { role, requested },
  );
}

/**
 * An ONNX model of one Identity node (float[1] → float[1]), 98 bytes, written with
 * testing/onnx-writer.ts: enough for onnxruntime to initialise an execution provider, so the
 * probe tests the provider itself (its libraries, CUDA, cuDNN, a visible device) without
 * loading a real model.
 */
const PROBE_MODEL = Buffer.from(
  'CAgSD2JhYmVsZmlzaC10ZXN0czpHChwKAXgSAXkaCmlkZW50aXR5XzAiCElkZW50aXR5EgVwcm9iZVoPCgF4EgoKCAgBEgQKAggBYg8KAXkSCgoICAESBAoCCAFCBAoAEBE=',
  'base64',
);

let cudaProbe: Promise<CudaProbe> | undefined;

/** Whether onnxruntime-node's CUDA provider initialises in this process (probed once, then cached). */
export function probeCuda(): Promise<CudaProbe> {
  cudaProbe ??= runCudaProbe();
  return cudaProbe;
}

async function runCudaProbe(): Promise<CudaProbe> {
  // Imported here: only a process that asks for CUDA loads onnxruntime for the question.
  const ort = await import('onnxruntime-node');
  const backends = ort.listSupportedBackends?.() ?? [];
  if (!backends.some((backend) => backend.name === 'cuda')) {
    return { available: false, reason: `this onnxruntime-node build has no CUDA provider (${process.platform}/${process.arch})` };
  }
  try {
    const session = await ort.InferenceSession.create(PROBE_MODEL, { executionProviders: ['cuda'], logSeverityLevel: 4 });
    await session.run({ x: new ort.Tensor('float32', new Float32Array([1]), [1]) });
    await session.release();
    return { available: true };
  } catch (error) {
    return { available: false, reason: firstLine(error) };
  }
}

/** onnxruntime's message without its terminal colours, first line only (the rest repeats it), with a hint for the usual cause. */
function firstLine(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // eslint-disable-next-line no-control-regex
  const line = message.replace(/\u001b\[[0-9;]*m/g, '').split('\n')[0]!.replace(/^Error: /, '').trim();
  // onnxruntime-node ships without its CUDA libraries unless installed with them (the GPU image does).
  return /Failed to load (shared )?library/.test(line) ? `${line} (onnxruntime's CUDA libraries are not installed: ONNXRUNTIME_NODE_INSTALL=cuda12, as in docker/worker-gpu.Dockerfile)` : line;
}

/** Resolves both roles' settings, probing CUDA once and only when a role asks for more than the CPU. */
export async function resolveInferenceDevices(
  requested: Record<InferenceRole, InferenceDevice>,
  probe: () => Promise<CudaProbe> = probeCuda,
): Promise<DeviceChoice[]> {
  const needsProbe = Object.values(requested).some((device) => device !== 'cpu');
  const cuda = needsProbe ? await probe() : undefined;
  return (Object.keys(requested) as InferenceRole[]).map((role) => chooseDevice(role, requested[role], cuda));
}

/** The choices as the per-role map the model loaders read (ModelSettings.devices). */
export function devicesOf(choices: DeviceChoice[]): InferenceDevices {
  const devices: InferenceDevices = { transcribe: 'cpu', translate: 'cpu' };
  for (const choice of choices) devices[choice.role] = choice.device;
  return devices;
}

/** onnxruntime-node session options for a device: CUDA first (onnxruntime still runs on the CPU any node CUDA lacks). */
export function executionProviders(device: ExecutionDevice): string[] {
  return device === 'cuda' ? ['cuda', 'cpu'] : ['cpu'];
}
