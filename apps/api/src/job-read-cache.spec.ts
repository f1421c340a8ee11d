import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createJobRepository, migrateToLatest, openDatabase, type DatabaseHandle, type JobRepository } from '@babelfish/db';
import { createJobReadCache } from './job-read-cache';

/** The job read cache on a real SQLite job store, with a clock the test moves. */
describe('job read cache', () => {
  let dir: string;
  let handle: DatabaseHandle;
  let jobs: JobRepository;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bf-job-reads-'));
    handle = openDatabase(`file:${path.join(dir, 'jobs.db')}`);
    await migrateToLatest(handle.db);
    jobs = createJobRepository(handle.db);
  });
  afterAll(async () => {
    await handle.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const newJob = () => jobs.create({ ownerId: 'erin', targetLanguages: ['es'], originalName: 'talk.mp4', inputKey: 'jobs/x/input' });

  it('shares one read until the TTL, an announced change or a write made through it', async () => {
    let clock = 1_000_000;
    const cache = createJobReadCache(jobs, { ttlMs: 1000, now: () => clock });
    const job = await newJob();
    const [first, second] = await Promise.all([cache.get(job.id), cache.get(job.id)]);
    expect(first).toBe(second);
    expect(first?.status).toBe('queued');

    // Changed behind the cache's back (another process, no announcement): seen once the TTL is over.
    await jobs.updateProgress(job.id, { stage: 'transcribe', percent: 10, stageProgress: {}, status: 'processing' });
    clock += 999;
    expect((await cache.get(job.id))?.status).toBe('queued');
    clock += 2;
    expect((await cache.get(job.id))?.status).toBe('processing');

    // Announced (a progress event for the job): seen at once.
    await jobs.updateProgress(job.id, { stage: 'translate', percent: 50, stageProgress: {} });
    cache.invalidate(job.id);
    expect((await cache.get(job.id))?.stage).toBe('translate');

    // Written through the cache's repository: seen at once, and reads through it are not cached.
    await cache.repository.markFailed(job.id, 'broken on purpose');
    expect(await cache.get(job.id)).toMatchObject({ status: 'failed', error: 'broken on purpose' });
    await cache.repository.delete(job.id);
    expect(await cache.get(job.id)).toBeUndefined();
  });

  it('does not remember a missing job: one created a moment later is found', async () => {
    const cache = createJobReadCache(jobs, { ttlMs: 60_000 });
    const id = '00000000-0000-4000-8000-000000000001';
    expect(await cache.get(id)).toBeUndefined();
    await jobs.create({ id, ownerId: 'erin', targetLanguages: ['fr'], originalName: 'late.mp4', inputKey: 'jobs/y/input' });
    expect((await cache.get(id))?.originalName).toBe('late.mp4');
  });
});
