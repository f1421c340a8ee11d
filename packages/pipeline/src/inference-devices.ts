import type { Config } from '@babelfish/config';
import type { Logger } from '@babelfish/logger';
import { devicesOf, resolveInferenceDevices, type InferenceDevices } from '@babelfish/ml';

/**
 * Where Whisper and the text models run, decided before any model loads: one log line per model
 * family naming the device and why (a fallback, as a warning, says what failed), or a start-up
 * error (INVALID_CONFIG) when cuda was asked for and cannot run. A family this process's roles
 * never use stays on the CPU, unprobed.
 */
export async function resolveConfiguredDevices(config: Config, logger: Logger): Promise<InferenceDevices> {
  const roles = config.worker.roles;
  const requested = {
    transcribe: roles.includes('transcribe') ? config.inference.transcribe : 'cpu',
    translate: roles.includes('translate') ? config.inference.translate : 'cpu',
  } as const;
  const choices = await resolveInferenceDevices(requested);
  for (const choice of choices) {
    const line = { role: choice.role, device: choice.device, requested: choice.requested, reason: choice.reason };
    if (choice.requested === 'auto' && choice.device === 'cpu') logger.warn('inference device', line);
    else logger.info('inference device', line);
  }
  return devicesOf(choices);
}
