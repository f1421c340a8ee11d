import { loadConfig } from '@babelfish/config';
import type { Logger } from '@babelfish/logger';
import { probeCuda } from '@babelfish/ml';
import { resolveConfiguredDevices } from './inference-devices';

/** The two levels resolveConfiguredDevices writes, recorded as log lines. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const at = (level: string) => (message: string, meta: Record<string, unknown>) => lines.push({ level, message, ...meta });
  return { lines, logger: { info: at('info'), warn: at('warn') } as unknown as Logger };
}

describe('resolveConfiguredDevices', () => {
  it("leaves a family the process's roles never use on the CPU, unprobed: a mux worker with INFERENCE_DEVICE=cuda starts", async () => {
    const { lines, logger } = capturingLogger();
    const devices = await resolveConfiguredDevices(loadConfig({ WORKER_ROLES: 'mux', INFERENCE_DEVICE: 'cuda' }), logger);
    expect(devices).toEqual({ transcribe: 'cpu', translate: 'cpu' });
    expect(lines).toEqual([
      expect.objectContaining({ level: 'info', message: 'inference device', role: 'transcribe', device: 'cpu', requested: 'cpu', reason: 'configured' }),
      expect.objectContaining({ level: 'info', message: 'inference device', role: 'translate', device: 'cpu', requested: 'cpu', reason: 'configured' }),
    ]);
  });

  it('logs a fallback as a warning with the cause, per family (real probe on this machine)', async () => {
    const cuda = await probeCuda();
    const { lines, logger } = capturingLogger();
    const devices = await resolveConfiguredDevices(loadConfig({ WORKER_ROLES: 'translate', INFERENCE_DEVICE_TRANSLATE: 'auto' }), logger);
    const translate = lines.find((line) => line.role === 'translate');
    if (cuda.available) {
      expect(devices.translate).toBe('cuda');
      expect(translate).toMatchObject({ level: 'info', device: 'cuda' });
    } else {
      expect(devices.translate).toBe('cpu');
      expect(translate).toMatchObject({ level: 'warn', device: 'cpu', requested: 'auto', reason: `CUDA unavailable, falling back to the CPU: ${cuda.reason}` });
    }
  });
});
