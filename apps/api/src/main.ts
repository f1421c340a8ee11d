import { loadConfig } from '@babelfish/config';
import { createLogger } from '@babelfish/logger';
import { startApiServer } from './server';

const config = loadConfig();
const logger = createLogger('api', config.logLevel);
// A promise someone forgot to handle is a bug to log, not a reason to drop every upload and
// socket this process serves. (A synchronous uncaught exception still ends the process: its
// state is unknown, and the orchestrator restarts it.)
process.on('unhandledRejection', (reason) => {
  logger.error('unhandled promise rejection', { error: String(reason), stack: (reason as Error | undefined)?.stack });
});
const server = await startApiServer(config, logger);

// SIGTERM: stop accepting connections, let in-flight requests finish, then exit.
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => {
    logger.info('shutting down', { signal });
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  });
}
