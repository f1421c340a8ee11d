import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Job } from 'bullmq';
import { loadConfig } from '@babelfish/config';
import { createSilentLogger } from '@babelfish/logger';
import { createServices, type Services } from '@babelfish/pipeline';
import type { JobQueues } from '@babelfish/queue';
import { createProcessors } from './processors';

/**
 * The failure BullMQ decides without our handler (a parent whose child failed for good, a job
 * that stalled too often), against a real SQLite job store: the row gets a reason only when no
 * step recorded one, and never from an earlier run.
 */
describe('failures decided outside the processor', () => {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-processors-'));
  let services: Services;
  let onFailed: ReturnType<typeof createProcessors>['onFailed'];

  beforeAll(async () => {
    services = await createServices(loadConfig({ DATA_DIR: dataDir, MODELS_DIR: dataDir, ALLOW_REMOTE_MODELS: 'false' }), { logger: createSilentLogger() });
    onFailed = createProcessors(services.ctx, {} as JobQueues, { splitAboveSeconds: 600, chunkSeconds: 300 }).onFailed;
  });
  afterAll(async () => {
    await services?.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  const newJob = () => services.ctx.jobs.create({ targetLanguages: ['es'], originalName: 'talk.mp4', inputKey: 'jobs/x/input', ownerId: 'o' });
  const deferred = (jobId: string, reason: string, run = 1) => ({ data: { jobId, run }, deferredFailure: reason }) as unknown as Job<{ jobId: string }>;

  it("keeps the reason a failed child recorded when its mux parent is failed after it", async () => {
    const job = await newJob();
    await services.ctx.jobs.markFailed(job.id, 'No engine translates en → es');
    await onFailed('mux', deferred(job.id, `child bull:translate:translate-${job.id}-es-1 failed`), new Error('child failed'));
    expect((await services.ctx.jobs.get(job.id))?.error).toBe('No engine translates en → es');
  });

  it('says which kind of failure it was when no step recorded one', async () => {
    const stalled = await newJob();
    await onFailed('translate', deferred(stalled.id, 'job stalled more than allowable limit'), new Error('stalled'));
    expect((await services.ctx.jobs.get(stalled.id))?.error).toMatch(/translate step was interrupted too many times/);
    const parent = await newJob();
    await onFailed('mux', deferred(parent.id, 'child bull:translate:x failed'), new Error('child failed'));
    expect((await services.ctx.jobs.get(parent.id))?.error).toMatch(/A step this mux step waited for failed/);
  });

  it('ignores a leftover of an earlier run', async () => {
    const job = await newJob();
    await onFailed('mux', deferred(job.id, 'job stalled more than allowable limit', 7), new Error('stalled'));
    expect(await services.ctx.jobs.get(job.id)).toMatchObject({ status: 'queued', error: null });
  });
});
