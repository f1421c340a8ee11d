import { loadConfig } from '@babelfish/config';
import { createLogger } from '@babelfish/logger';
import { startApiServer } from './server';

const config = loadConfig();
const logger = createLogger('api', config.logLevel);
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
