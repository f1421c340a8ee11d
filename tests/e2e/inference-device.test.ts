import { parseWebVtt } from '@babelfish/media';
import { probeCuda } from '@babelfish/ml';
import { sample } from '../support/paths';
import { startStack, submitAndComplete, type Stack } from '../support/stack';
import { spawnWorker } from '../support/worker-process';

/** The worker's `inference device` log lines, parsed. */
function deviceLines(output: string): Array<{ role: string; device: string; requested: string; reason: string; level: string }> {
  return output
    .split('\n')
    .filter((line) => line.includes('"message":"inference device"'))
    .map((line) => JSON.parse(line.slice(line.indexOf('{'))));
}

describe('INFERENCE_DEVICE in a real worker (this machine: whatever onnxruntime-node finds)', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ database: 'postgres', env: { INFERENCE_DEVICE: 'auto', WHISPER_MODEL: 'Xenova/whisper-tiny' } });
  });
  afterAll(() => stack?.stop());

  it('auto: logs the device per model family and why, then transcribes on it (CPU fallback without a GPU)', async () => {
    const cuda = await probeCuda();
    const lines = deviceLines(stack.worker!.output());
    console.log(`CUDA here: ${JSON.stringify(cuda)}\nworker said: ${JSON.stringify(lines)}`);
    expect(lines.map((line) => line.role).sort()).toEqual(['transcribe', 'translate']);
    for (const line of lines) {
      expect(line.requested).toBe('auto');
      if (cuda.available) expect(line).toMatchObject({ device: 'cuda', reason: 'CUDA execution provider initialised' });
      else expect(line).toMatchObject({ device: 'cpu', level: 'warn', reason: `CUDA unavailable, falling back to the CPU: ${cuda.reason}` });
    }
    const jobId = await submitAndComplete(stack, stack.apiKey, sample('jfk.mp4'), { to: 'es', from: 'en', engine: 'apertium' });
    const outputs = (await stack.http().get(`/v1/jobs/${jobId}/outputs`)).body.outputs as { kind: string; language: string; url: string }[];
    const vtt = (await stack.http().get(outputs.find((output) => output.kind === 'vtt' && output.language === 'en')!.url)).text;
    const english = parseWebVtt(vtt).map((cue) => cue.text).join(' ').toLowerCase();
    expect(english).toContain('ask not what your country can do for you');
  });

  it('cuda without a working CUDA provider: the worker refuses to start, naming the setting and the cause', async () => {
    const cuda = await probeCuda();
    const env = { ...workerEnv(stack), INFERENCE_DEVICE_TRANSCRIBE: 'cuda', WORKER_ROLES: 'transcribe' };
    if (cuda.available) {
      const worker = await spawnWorker(env);
      expect(deviceLines(worker.output())).toEqual([expect.objectContaining({ role: 'transcribe', device: 'cuda' }), expect.objectContaining({ role: 'translate', device: 'cpu' })]);
      await worker.stop();
      return;
    }
    const boot = spawnWorker(env);
    await expect(boot).rejects.toThrow(/"message":"worker failed to start"/);
    const failure = await boot.catch((error: Error) => error.message);
    expect(failure).toContain('"code":"INVALID_CONFIG"');
    expect(failure).toContain('INFERENCE_DEVICE_TRANSCRIBE (or INFERENCE_DEVICE) is cuda');
    expect(failure).toContain(cuda.reason.slice(0, 40));
  });
});

/** The stack's own settings (data dir, queue prefix, models), for a second worker. */
function workerEnv(stack: Stack): Record<string, string> {
  return {
    NODE_ENV: 'test',
    DATA_DIR: stack.dataDir,
    DATABASE_URL: stack.config.databaseUrl,
    REDIS_URL: stack.config.redisUrl,
    QUEUE_PREFIX: `${stack.config.queuePrefix}-cuda`,
    MODELS_DIR: stack.config.models.dir,
    ALLOW_REMOTE_MODELS: 'false',
    WHISPER_MODEL: 'Xenova/whisper-tiny',
  };
}
