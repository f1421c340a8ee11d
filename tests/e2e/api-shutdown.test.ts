import fs from 'node:fs';
import http from 'node:http';
import { createLogger } from '@babelfish/logger';
import { startApiServer } from '../../apps/api/src/server';
import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';

/** SIGTERM path of the API: stop taking connections, let the upload in flight finish. */
describe('API graceful shutdown', () => {
  let stack: Stack;
  beforeAll(async () => {
    stack = await startStack({ database: 'sqlite', worker: false });
  });
  afterAll(() => stack?.stop());

  it('drains an in-flight upload before closing, and refuses new connections meanwhile', async () => {
    const replica = await startApiServer(stack.config, createLogger('draining', 'warn'));
    const video = fs.readFileSync(sample('jfk.mp4'));
    const boundary = 'babelfish-test-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="to"\r\n\r\nes\r\n--${boundary}\r\nContent-Disposition: form-data; name="from"\r\n\r\nen\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="jfk.mp4"\r\nContent-Type: video/mp4\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    const body = Buffer.concat([head, video, tail]);

    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = http.request(`${replica.url}/v1/jobs`, {
        method: 'POST',
        headers: { 'Content-Type': `multipart/form-data; boundary=${boundary}`, 'Content-Length': body.length, Authorization: `Bearer ${stack.apiKey}` },
      });
      req.on('response', (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      });
      req.on('error', reject);
      // Send half, then the rest only after shutdown has begun.
      req.write(body.subarray(0, body.length / 2));
      setTimeout(() => req.end(body.subarray(body.length / 2)), 700);
    });

    await new Promise((resolve) => setTimeout(resolve, 200));
    const closing = replica.close(10_000);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const refused = await new Promise<string>((resolve) => {
      http.get(`${replica.url}/health`, () => resolve('answered')).on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    });
    expect(refused).toBe('ECONNREFUSED');

    const finished = await response;
    expect(finished.status).toBe(202);
    expect(JSON.parse(finished.body).job.status).toBe('queued');
    await closing;
  });
});
