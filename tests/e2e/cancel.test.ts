import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { repoRoot, sample } from '../support/paths';
import { watchJob } from '../support/socket';
import { startStack, submitAndWait, type Stack } from '../support/stack';

/**
 * POST /v1/jobs/:id/cancel on the real stack (one worker, concurrency 1): a running job stops
 * within seconds (Whisper aborted), a queued one never runs, watchers see `canceled`, the webhook
 * gets job.canceled, the upload stays and a retry completes. The CLI's `cancel` too.
 */

type Job = { id: string; status: string; stage: string; percent: number; error: string | null };

describe('cancel (real API, worker, Redis, SQLite)', () => {
  let stack: Stack;
  let scratch: string;
  let long: string;
  const hooks: Array<{ headers: Record<string, string>; body: string }> = [];
  let hookServer: http.Server;
  let hookUrl: string;

  const job = async (id: string): Promise<Job> => (await stack.http().get(`/v1/jobs/${id}`)).body.job as Job;
  const until = async <T>(read: () => Promise<T | undefined>, timeoutMs = 120_000): Promise<T> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await read();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error('condition not met in time');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  };
  const submitLong = async (name: string) => {
    const response = await stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en').field('webhookUrl', hookUrl).attach('file', long, name);
    if (response.status !== 202) throw new Error(response.text);
    expect(response.status).toBe(202);
    return response.body.job.id as string;
  };

  beforeAll(async () => {
    scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-cancel-'));
    // Two minutes of speech, so the job is still transcribing when it is canceled.
    long = path.join(scratch, 'long.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '11', '-i', sample('jfk.wav'), '-c:a', 'aac', '-y', long]);
    hookServer = http.createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => (body += chunk));
      req.on('end', () => {
        hooks.push({ headers: req.headers as Record<string, string>, body });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => hookServer.listen(0, '127.0.0.1', resolve));
    hookUrl = `http://127.0.0.1:${(hookServer.address() as AddressInfo).port}/hook`;
    stack = await startStack({ database: 'sqlite', env: { WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', WORKER_CONCURRENCY: '1' } });
  });
  afterAll(async () => {
    await stack?.stop();
    hookServer?.close();
    fs.rmSync(scratch, { recursive: true, force: true });
  });

  it('stops a running job within seconds and a queued one before it starts; the upload stays and a retry completes', async () => {
    const runningId = await submitLong('running.mp4');
    const watch = await watchJob(stack.api.url, runningId, { apiKey: stack.apiKey });
    await until(async () => {
      const current = await job(runningId);
      return current.status === 'processing' && current.stage === 'transcribe' && current.percent > 3 ? current : undefined;
    });
    const queuedId = await submitLong('queued.mp4');
    expect((await job(queuedId)).status).toBe('queued');

    const canceledAt = Date.now();
    const canceled = await stack.http().post(`/v1/jobs/${runningId}/cancel`);
    expect(canceled.status).toBe(202);
    expect(canceled.body.job).toMatchObject({ id: runningId, status: 'canceled', error: 'Canceled by its owner' });
    expect((await watch.finished).status).toBe('canceled');
    watch.close();
    const queued = await stack.http().post(`/v1/jobs/${queuedId}/cancel`);
    expect(queued.body.job.status).toBe('canceled');

    // The worker stopped the running job (Whisper aborted) instead of finishing it.
    await until(async () => (stack.worker!.output().split('\n').some((line) => line.includes('"message":"stage canceled"') && line.includes(runningId)) ? true : undefined), 30_000);
    console.log(`running job stopped in the worker ${Date.now() - canceledAt} ms after the cancel`);
    expect(Date.now() - canceledAt).toBeLessThan(15_000);
    // Free for the next job at once: a short one completes.
    const { last } = await submitAndWait(stack, stack.apiKey, sample('jfk.mp4'), { to: 'es', from: 'en' });
    expect(last.status).toBe('completed');
    // Neither canceled job ran on or made outputs; both stay canceled.
    for (const id of [runningId, queuedId]) {
      expect(await job(id)).toMatchObject({ status: 'canceled' });
      expect((await stack.http().get(`/v1/jobs/${id}/outputs`)).body.outputs).toEqual([]);
    }
    expect(stack.worker!.output()).not.toMatch(new RegExp(`"jobId":"${queuedId}"[^\\n]*"message":"stage failed"`));

    // job.canceled reached the webhook for both, signed with the key's secret.
    const secret = (await stack.http().get('/v1/webhook')).body.secret as string;
    await until(async () => (hooks.length >= 2 ? true : undefined), 30_000);
    const events = hooks.map((hook) => new Webhook(secret).verify(hook.body, hook.headers) as { type: string; data: { id: string } });
    expect(events.map((event) => event.type)).toEqual(['job.canceled', 'job.canceled']);
    expect(events.map((event) => event.data.id).sort()).toEqual([runningId, queuedId].sort());

    // Canceling again is a conflict; the upload stayed, so a retry runs the job to the end.
    expect((await stack.http().post(`/v1/jobs/${runningId}/cancel`)).status).toBe(409);
    expect((await stack.http().get(`/v1/jobs/${queuedId}/video`)).status).toBe(200);
    const retried = await stack.http().post(`/v1/jobs/${queuedId}/retry`);
    expect(retried.status).toBe(202);
    const done = await until(async () => {
      const current = await job(queuedId);
      return current.status === 'completed' || current.status === 'failed' ? current : undefined;
    }, 170_000);
    expect(done.status).toBe('completed');
    // Another owner cannot cancel someone else's job.
    const stranger = await stack.createApiKey('stranger');
    expect((await stack.http(stranger).post(`/v1/jobs/${queuedId}/cancel`)).status).toBe(404);
  });

  it('babelfish cancel <id> stops a job from a script', async () => {
    // Another recording (the first one's transcript would be reused, and finish at once).
    const other = path.join(scratch, 'other.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-stream_loop', '10', '-i', sample('jfk.wav'), '-c:a', 'aac', '-y', other]);
    const submitted = await stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en').attach('file', other, 'cli.mp4');
    const id = submitted.body.job.id as string;
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        path.join(repoRoot, 'node_modules/.bin/tsx'),
        ['--conditions=development', 'apps/cli/src/main.ts', 'cancel', id, '--server', stack.api.url, '--key', stack.apiKey],
        { cwd: repoRoot, env: { ...process.env, LOG_LEVEL: 'warn' } },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, stdout, stderr }),
      );
    });
    expect(run.stderr).not.toMatch(/babelfish: /);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain(`${id}  canceled`);
    expect((await job(id)).status).toBe('canceled');
  });
});
