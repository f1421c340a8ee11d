import { AppError } from '@babelfish/core';
import { chooseDevice, devicesOf, probeCuda, resolveInferenceDevices, type CudaProbe } from './inference-device';
import { configureModels, modelSettings } from './model-env';
import { decodeSample, useOfflineModels } from './test-fixtures';
import { disposeWhisperModels, getWhisper } from './whisper';

const present: CudaProbe = { available: true };
const missing: CudaProbe = { available: false, reason: 'libonnxruntime_providers_cuda.so: cannot open shared object file' };

describe('chooseDevice', () => {
  it('runs cpu on the CPU without needing a probe', () => {
    expect(chooseDevice('transcribe', 'cpu', undefined)).toEqual({ role: 'transcribe', requested: 'cpu', device: 'cpu', reason: 'configured' });
  });

  it('runs auto on CUDA when its provider initialises, else on the CPU saying why', () => {
    expect(chooseDevice('translate', 'auto', present)).toMatchObject({ device: 'cuda', reason: 'CUDA execution provider initialised' });
    const fallback = chooseDevice('translate', 'auto', missing);
    expect(fallback.device).toBe('cpu');
    expect(fallback.reason).toBe(`CUDA unavailable, falling back to the CPU: ${missing.reason}`);
  });

  it('refuses cuda without a working provider: a start-up error naming the setting and the cause, never a silent CPU run', () => {
    expect(chooseDevice('transcribe', 'cuda', present).device).toBe('cuda');
    const refusal = (() => {
      try {
        chooseDevice('transcribe', 'cuda', missing);
      } catch (error) {
        return error;
      }
      return undefined;
    })();
    expect(refusal).toBeInstanceOf(AppError);
    expect(refusal).toMatchObject({ code: 'INVALID_CONFIG' });
    expect((refusal as Error).message).toContain('INFERENCE_DEVICE_TRANSCRIBE');
    expect((refusal as Error).message).toContain(missing.reason);
  });
});

describe('resolveInferenceDevices', () => {
  it('probes CUDA once for all roles, and not at all when every role is on the CPU', async () => {
    const probe = jest.fn(async () => missing);
    expect(devicesOf(await resolveInferenceDevices({ transcribe: 'cpu', translate: 'cpu' }, probe))).toEqual({ transcribe: 'cpu', translate: 'cpu' });
    expect(probe).not.toHaveBeenCalled();
    const choices = await resolveInferenceDevices({ transcribe: 'auto', translate: 'cpu' }, async () => present);
    expect(devicesOf(choices)).toEqual({ transcribe: 'cuda', translate: 'cpu' });
    await resolveInferenceDevices({ transcribe: 'auto', translate: 'auto' }, probe);
    expect(probe).toHaveBeenCalledTimes(1);
  });
});

describe('on this machine (onnxruntime-node as installed)', () => {
  afterAll(() => disposeWhisperModels());

  it('probes the real CUDA provider: auto takes it when it initialises, else falls back with its error', async () => {
    const cuda = await probeCuda();
    const [auto] = await resolveInferenceDevices({ transcribe: 'auto', translate: 'cpu' });
    console.log(`CUDA probe: ${JSON.stringify(cuda)}; auto → ${auto!.device} (${auto!.reason})`);
    if (cuda.available) {
      expect(auto!.device).toBe('cuda');
    } else {
      expect(cuda.reason.length).toBeGreaterThan(10);
      expect(auto).toMatchObject({ device: 'cpu', reason: `CUDA unavailable, falling back to the CPU: ${cuda.reason}` });
      await expect(resolveInferenceDevices({ transcribe: 'cuda', translate: 'cpu' })).rejects.toMatchObject({ code: 'INVALID_CONFIG' });
    }
  });

  it('loads and runs Whisper on the device auto resolved to (real sessions, jfk.wav)', async () => {
    useOfflineModels();
    const devices = devicesOf(await resolveInferenceDevices({ transcribe: 'auto', translate: 'auto' }));
    configureModels({ ...modelSettings(), devices });
    const whisper = await getWhisper('Xenova/whisper-tiny', 'q8');
    const text = (await whisper.transcribe(decodeSample('jfk.wav'), { language: 'en' })).map((segment) => segment.text).join(' ');
    console.log(`whisper-tiny on ${devices.transcribe}: ${text}`);
    expect(text.toLowerCase()).toContain('ask not what your country can do for you');
  });
});
