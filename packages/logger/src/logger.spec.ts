import { Writable } from 'node:stream';
import winston from 'winston';
import { createLogger, withLogContext } from './index';

describe('logger', () => {
  it('adds the request id of the surrounding context to every line, across awaits', async () => {
    const lines: string[] = [];
    const logger = createLogger('test');
    logger.clear().add(new winston.transports.Stream({ stream: new Writable({ write: (chunk, _enc, done) => { lines.push(String(chunk)); done(); } }) }));
    await withLogContext({ requestId: 'req-1' }, async () => {
      await new Promise((resolve) => setTimeout(resolve, 5));
      logger.info('inside');
    });
    logger.info('outside');
    expect(JSON.parse(lines[0]!)).toMatchObject({ message: 'inside', requestId: 'req-1', service: 'test' });
    expect(JSON.parse(lines[1]!).requestId).toBeUndefined();
  });
});
