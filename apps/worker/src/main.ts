import { loadConfig } from '@babelfish/config';
import { describeError, isAppError } from '@babelfish/core';
import { createLogger } from '@babelfish/logger';
import { startWorkers, type RunningWorkers } from './start-workers';

const config = loadConfig();
const logger = createLogger('worker', config.logLevel);

// SIGTERM (docker stop, Kubernetes, ECS scale-in) or Ctrl-C: take no new jobs, hand the running
// transcriptions and muxes back to the queue (another worker starts them at once; a chunked
// transcription keeps its finished chunks), let translations finish, then exit 0. This takes a
// few seconds (Whisper finishes the batch in flight), well inside ECS's 120 s grace period. A
// second signal exits at once; the jobs it was running are then re-queued by another worker's
// stalled-job check once their locks lapse, as after a crash.
let workers: RunningWorkers | undefined;
let stopping = false;

function stop(): void {
  workers?.close().then(
    () => {
      logger.info('worker stopped');
      process.exit(0);
    },
    (error: unknown) => {
      logger.error('shutdown failed', { error: String(error) });
      process.exit(1);
    },
  );
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    if (stopping) {
      logger.warn('second signal: exiting without waiting for running jobs', { signal });
      process.exit(1);
    }
    stopping = true;
    logger.info('shutting down: handing running jobs back', { signal });
    stop(); // no-op while still starting: then it runs once start-up is done
  });
}

// A boot failure (Redis down, a model that cannot be downloaded) is one log line and exit 1, so
// the orchestrator's restart shows the reason rather than an unhandled-rejection stack.
workers = await startWorkers(config, logger).catch((error: unknown) => {
  logger.error('worker failed to start', { code: isAppError(error) ? error.code : 'INTERNAL', error: describeError(error) });
  process.exit(1);
});
if (stopping) stop();
