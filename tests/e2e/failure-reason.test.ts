import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';
import { watchJob } from '../support/socket';

/**
 * A failed job says why it failed: the root cause recorded by the step that failed, not the
 * reason of a later step that was only waiting for it. Here the worker cannot translate (its
 * PATH has no Apertium, as on a worker image built without it) while the API, which validated
 * the submission, can: the translate child fails for good, and BullMQ then fails the mux parent.
 */
describe('a failed job keeps its root cause', () => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-bin-'));
  let stack: Stack;

  beforeAll(async () => {
    for (const tool of ['ffmpeg', 'ffprobe']) fs.symlinkSync(execFileSync('which', [tool], { encoding: 'utf8' }).trim(), path.join(bin, tool));
    fs.symlinkSync(process.execPath, path.join(bin, 'node'));
    stack = await startStack({ database: 'sqlite', env: { PATH: bin } });
  });
  afterAll(async () => {
    await stack?.stop();
    fs.rmSync(bin, { recursive: true, force: true });
  });

  it("shows the translate step's reason, not the mux step's, and keeps the upload", async () => {
    const submitted = await stack.http().post('/v1/jobs').field('to', 'es').field('from', 'en').field('engine', 'apertium').attach('file', sample('jfk.mp4'));
    expect(submitted.status).toBe(202);
    const jobId = submitted.body.job.id as string;
    const watch = await watchJob(stack.api.url, jobId, { apiKey: stack.apiKey });
    const last = await watch.finished;
    watch.close();
    expect(last.status).toBe('failed');
    const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/apertium|en.{0,4}es|translat/i);
    await new Promise((resolve) => setTimeout(resolve, 8000));
    console.log('ERROR', (await stack.http().get(`/v1/jobs/${jobId}`)).body.job.error, stack.worker?.output().slice(-3000));
    expect(job.error).not.toMatch(/mux step|interrupted|child .* failed/i);
    expect(job.error).not.toContain(bin);
    // Give the mux parent's deferred failure time to be processed: it must not overwrite the reason.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await stack.http().get(`/v1/jobs/${jobId}`)).body.job.error).toBe(job.error);
    expect(fs.existsSync(path.join(stack.config.storage.dir, 'jobs', jobId, 'input'))).toBe(true);
  });
});
