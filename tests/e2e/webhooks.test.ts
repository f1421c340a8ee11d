import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { runCli } from '../support/cli';
import { makeVideoWithSilentAudio } from '../support/media';
import { sample } from '../support/paths';
import { startStack, submitAndWait, type Stack } from '../support/stack';

/**
 * Webhooks on the real stack: the worker posts each terminal event to a receiver on loopback
 * (allow-listed, as loopback is refused by default), signed per Standard Webhooks and verified
 * here with the standardwebhooks package; failed deliveries are retried on a short schedule.
 */

type Received = { path: string; headers: Record<string, string>; body: string; at: number };

function startReceiver() {
  const received: Received[] = [];
  // path -> status codes to answer in turn (the last one repeats); default 204.
  const scripts = new Map<string, number[]>();
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (chunk) => (body += chunk));
    req.on('end', () => {
      const route = (req.url ?? '/').split('?')[0]!;
      received.push({ path: route, headers: req.headers as Record<string, string>, body, at: Date.now() });
      const script = scripts.get(route) ?? [204];
      const status = script.length > 1 ? script.shift()! : script[0]!;
      res.writeHead(status).end();
    });
  });
  return {
    received,
    scripts,
    server,
    listen: () => new Promise<string>((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`))),
    waitFor: async (predicate: (entries: Received[]) => boolean, timeoutMs = 60_000) => {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(received)) {
        if (Date.now() > deadline) throw new Error(`receiver: condition not met; got ${received.map((r) => r.path).join(', ')}`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    },
  };
}

describe('webhooks (real API, worker, Redis, SQLite)', () => {
  let stack: Stack;
  let receiver: ReturnType<typeof startReceiver>;
  let base: string;
  let scratch: string;

  beforeAll(async () => {
    receiver = startReceiver();
    base = await receiver.listen();
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-webhooks-'));
    stack = await startStack({ database: 'sqlite', env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WEBHOOK_RETRY_DELAYS_MS: '300,600', WEBHOOK_TIMEOUT_MS: '2000' } });
  });

  afterAll(async () => {
    await stack?.stop();
    receiver?.server.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('posts job.completed, signed with the key\'s secret, with links to the outputs', async () => {
    const settings = await stack.http().get('/v1/webhook');
    expect(settings.status).toBe(200);
    expect(settings.body).toMatchObject({ url: null, secret: expect.stringMatching(/^whsec_/) });
    const secret = settings.body.secret as string;

    const submitted = await stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en').field('webhookUrl', `${base}/done`).attach('file', sample('jfk.mp4'));
    expect(submitted.status).toBe(202);
    const jobId = submitted.body.job.id as string;
    expect(submitted.body.job.options.webhook).toEqual({ url: `${base}/done`, keyId: expect.any(String) });

    await receiver.waitFor((entries) => entries.some((entry) => entry.path === '/done'));
    const delivery = receiver.received.find((entry) => entry.path === '/done')!;
    const event = new Webhook(secret).verify(delivery.body, delivery.headers) as { type: string; data: { id: string; status: string; outputs: Array<{ name: string; url: string }> } };
    expect(event.type).toBe('job.completed');
    expect(event.data).toMatchObject({ id: jobId, status: 'completed' });
    const srt = event.data.outputs.find((output) => output.name.endsWith('.es.srt'));
    expect(srt).toBeDefined();
    const download = await stack.http().get(srt!.url);
    expect(download.status).toBe(200);
    expect(download.text).toMatch(/país/);

    const log = await stack.http().get(`/v1/jobs/${jobId}/webhooks`);
    expect(log.body.deliveries).toEqual([expect.objectContaining({ event: 'job.completed', attempt: 1, statusCode: 204, error: null, url: `${base}/done` })]);
    // The log is the owner's alone.
    const stranger = await stack.createApiKey('stranger');
    expect((await stack.http(stranger).get(`/v1/jobs/${jobId}/webhooks`)).status).toBe(404);
  });

  it('retries a failing receiver with the same message id and logs every attempt of job.failed', async () => {
    receiver.scripts.set('/flaky', [500, 503, 200]);
    const put = await stack.http().put('/v1/webhook').send({ url: `${base}/flaky` });
    expect(put.status).toBe(200);
    expect(put.body.url).toBe(`${base}/flaky`);
    const secret = put.body.secret as string;

    const silent = path.join(scratch, 'silent.mp4');
    makeVideoWithSilentAudio(silent);
    const { jobId, last } = await submitAndWait(stack, stack.apiKey, silent, { to: 'es', from: 'en' });
    expect(last.status).toBe('failed');

    await receiver.waitFor((entries) => entries.filter((entry) => entry.path === '/flaky').length >= 3);
    const attempts = receiver.received.filter((entry) => entry.path === '/flaky');
    expect(new Set(attempts.map((entry) => entry.headers['webhook-id'])).size).toBe(1);
    for (const attempt of attempts) {
      const event = new Webhook(secret).verify(attempt.body, attempt.headers) as { type: string; data: { id: string; error: string } };
      expect(event).toMatchObject({ type: 'job.failed', data: { id: jobId, error: expect.any(String) } });
    }
    // Backed off between attempts (300 ms, then 600 ms, as configured).
    expect(attempts[1]!.at - attempts[0]!.at).toBeGreaterThanOrEqual(250);
    expect(attempts[2]!.at - attempts[1]!.at).toBeGreaterThanOrEqual(500);

    let deliveries: Array<{ attempt: number; statusCode: number }> = [];
    for (let i = 0; i < 50 && deliveries.length < 3; i++) {
      deliveries = (await stack.http().get(`/v1/jobs/${jobId}/webhooks`)).body.deliveries;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(deliveries.map((entry) => [entry.attempt, entry.statusCode])).toEqual([[1, 500], [2, 503], [3, 200]]);
    await stack.http().put('/v1/webhook').send({ url: null });
  });

  it('a job submitted with `babelfish submit --webhook` is delivered, signed, to that URL', async () => {
    const secret = (await stack.http().get('/v1/webhook')).body.secret as string;
    const run = await runCli(['submit', sample('jfk.mp4'), '--to', 'es', '--from', 'en', '--webhook', `${base}/from-cli`, '--max-line-chars', '20', '--wait', '--json', '--server', stack.api.url, '--key', stack.apiKey]);
    expect([run.code, run.stderr.slice(-500)]).toEqual([0, expect.any(String)]);
    const job = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as { id: string; status: string };
    expect(job.status).toBe('completed');
    const options = (await stack.http().get(`/v1/jobs/${job.id}`)).body.job.options;
    expect(options.webhook).toEqual({ url: `${base}/from-cli`, keyId: expect.any(String) });
    expect(options.subtitleRules).toEqual({ maxCharsPerLine: 20 }); // submit's rule flags go with the job too

    await receiver.waitFor((entries) => entries.some((entry) => entry.path === '/from-cli'));
    const deliveries = receiver.received.filter((entry) => entry.path === '/from-cli');
    expect(deliveries).toHaveLength(1);
    // Verified with the key's secret as a receiver would: a wrong secret or a changed body throws.
    const event = new Webhook(secret).verify(deliveries[0]!.body, deliveries[0]!.headers) as { type: string; data: { id: string; status: string } };
    expect(event).toMatchObject({ type: 'job.completed', data: { id: job.id, status: 'completed' } });
    expect(() => new Webhook(secret).verify(deliveries[0]!.body.replace('completed', 'failed'), deliveries[0]!.headers)).toThrow();
    const log = await stack.http().get(`/v1/jobs/${job.id}/webhooks`);
    expect(log.body.deliveries).toEqual([expect.objectContaining({ event: 'job.completed', attempt: 1, statusCode: 204, url: `${base}/from-cli` })]);
  });

  it('refuses private and metadata destinations at submission, storing nothing', async () => {
    const before = (await stack.http().get('/v1/jobs')).body.jobs.length;
    for (const url of ['http://10.0.0.1/hook', 'http://169.254.169.254/latest/meta-data/', 'http://127.0.0.2:6379/', 'file:///etc/passwd', 'http://[::1]/x']) {
      const response = await stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en').field('webhookUrl', url).attach('file', sample('jfk.mp4'));
      expect(response.status).toBe(400);
      expect(response.body.error.message).toMatch(/Webhook URL refused/);
    }
    expect((await stack.http().put('/v1/webhook').send({ url: 'http://192.168.0.10/x' })).status).toBe(400);
    expect((await stack.http().get('/v1/jobs')).body.jobs.length).toBe(before);
  });

  it('rotates the signing secret', async () => {
    const before = (await stack.http().get('/v1/webhook')).body.secret as string;
    const rotated = await stack.http().post('/v1/webhook/secret');
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).toMatch(/^whsec_/);
    expect(rotated.body.secret).not.toBe(before);
    expect((await stack.http().get('/v1/webhook')).body.secret).toBe(rotated.body.secret);
  });
});
