import { loadConfig } from '@babelfish/config';
import { createLogger } from '@babelfish/logger';
import { startWorkers } from './start-workers';

const config = loadConfig();
const logger = createLogger('worker', config.logLevel);
const workers = await startWorkers(config, logger);

// SIGTERM (docker stop, ECS scale-in): finish the current job, then leave.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info('shutting down', { signal });
    workers.close().then(
      () => process.exit(0),
      (error) => {
        logger.error('shutdown failed', { error: String(error) });
        process.exit(1);
      },
    );
  });
}
