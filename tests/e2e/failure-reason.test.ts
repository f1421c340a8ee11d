import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { sample } from '../support/paths';
import { startStack, type Stack } from '../support/stack';
import { watchJob } from '../support/socket';

/**
 * A failed job says why it failed: the root cause recorded by the step that failed, not the
 * reason of a later step that was only waiting for it. The worker's Apertium lists its language
 * pairs but cannot translate (its pair data is broken, as after a bad package upgrade): the
 * transcription succeeds, the translate child fails on every attempt, and BullMQ then fails
 * the mux parent that waited for it.
 */
describe('a failed job keeps its root cause', () => {
  const bin = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-bin-'));
  let stack: Stack;

  beforeAll(async () => {
    const apertium = execFileSync('which', ['apertium'], { encoding: 'utf8' }).trim();
    fs.writeFileSync(
      path.join(bin, 'apertium'),
      `#!/bin/sh\nif [ "$1" = "-l" ]; then exec ${apertium} "$@"; fi\necho "Error: the eng-spa pair data is damaged" >&2\nexit 1\n`,
      { mode: 0o755 },
    );
    stack = await startStack({ database: 'sqlite', env: { PATH: `${bin}:${process.env.PATH ?? '/usr/bin:/bin'}` } });
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
    // The mux parent is failed by a worker shortly after the child; wait until it has been.
    const output = () => stack.worker!.output();
    const deadline = Date.now() + 30_000;
    while (!output().includes('stage failed outside the processor') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 200));
    expect(output()).toMatch(/"message":"stage failed outside the processor"[^\n]*"queue":"mux"|"queue":"mux"[^\n]*"message":"stage failed outside the processor"/);
    const job = (await stack.http().get(`/v1/jobs/${jobId}`)).body.job;
    expect(job.status).toBe('failed');
    expect(job.error).toMatch(/damaged|apertium|translat/i);
    expect(job.error).not.toMatch(/mux step|interrupted|child .* failed/i);
    expect(job.error).not.toContain(bin);
    // The translate step's own code too (what the compatibility APIs turn into a status).
    expect(job.errorCode).toBe('TRANSLATION_FAILED');
    expect(fs.existsSync(path.join(stack.config.storage.dir, 'jobs', jobId, 'input'))).toBe(true);
  });
});
